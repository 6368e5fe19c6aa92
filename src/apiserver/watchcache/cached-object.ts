// An object as the watch cache holds it: parsed once, serialized once, with the values selectors
// and indexes read computed at most once. Shared by every list and watcher: never mutate `object`.
import { objectFields } from '../../api/fields.js';
import type { KubeObject } from '../../api/types.js';

export class CachedObject {
  private fieldsMemo: Record<string, string> | undefined;

  constructor(
    readonly resource: string,
    readonly key: string,
    readonly object: KubeObject,
    /** The JSON of `object`, resourceVersion included, encoded once: GETs, lists and events copy it. */
    readonly bytes: Buffer,
    readonly revision: number,
  ) {}

  static fromObject(resource: string, key: string, object: KubeObject, revision: number): CachedObject {
    return new CachedObject(resource, key, object, Buffer.from(JSON.stringify(object)), revision);
  }

  get namespace(): string {
    return this.object.metadata.namespace ?? '';
  }

  get name(): string {
    return this.object.metadata.name ?? '';
  }

  get labels(): Readonly<Record<string, string>> | undefined {
    return this.object.metadata.labels;
  }

  /** The selectable fields (metadata.name, spec.nodeName, …) for field selectors. */
  get fields(): Readonly<Record<string, string>> {
    this.fieldsMemo ??= objectFields(this.resource, this.object);
    return this.fieldsMemo;
  }

  /** The same object with another resourceVersion (a DELETED event carries the deletion's revision). */
  withRevision(revision: number): CachedObject {
    if (revision === this.revision) return this;
    const object: KubeObject = {
      ...this.object,
      metadata: { ...this.object.metadata, resourceVersion: String(revision) },
    };
    return new CachedObject(this.resource, this.key, object, Buffer.from(JSON.stringify(object)), revision);
  }
}
