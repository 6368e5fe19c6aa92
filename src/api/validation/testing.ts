// Helpers shared by the src/api tests: valid objects to mutate, cause lookup, thrown ApiErrors.
import { applyDefaults } from '../defaults.js';
import { ApiError } from '../errors.js';
import type { KubeObject, StatusCause } from '../types.js';
import { validateCreate, validateUpdate } from '../validation.js';

export type Mutable = Record<string, any>;

export function validPod(): Mutable {
  return {
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }],
    },
  };
}

export function validService(): Mutable {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  };
}

export function validRC(): Mutable {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { app: 'web' },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
    },
  };
}

/** Defaults then validates a fresh object after `mutate` changed it. */
export function createCauses(
  resource: string,
  base: Mutable,
  mutate: (o: Mutable) => void = () => {},
): StatusCause[] {
  const obj = structuredClone(base);
  mutate(obj);
  applyDefaults(resource, obj as KubeObject);
  return validateCreate(resource, obj as KubeObject);
}

/** Defaults a stored object, applies `mutate` to a copy, defaults it again and validates the update. */
export function updateCauses(resource: string, base: Mutable, mutate: (o: Mutable) => void): StatusCause[] {
  const old = structuredClone(base);
  old.metadata.uid ??= 'uid-1';
  old.metadata.resourceVersion ??= '5';
  old.metadata.creationTimestamp ??= '2024-01-01T00:00:00Z';
  applyDefaults(resource, old as KubeObject);
  const obj = structuredClone(old);
  mutate(obj);
  applyDefaults(resource, obj as KubeObject);
  return validateUpdate(resource, obj as KubeObject, old as KubeObject);
}

/** field → reason pairs, compact for table expectations. */
export function summary(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field} ${c.reason}`);
}

export function messageOf(causes: StatusCause[], field: string): string | undefined {
  return causes.find((c) => c.field === field)?.message;
}

/** The ApiError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}
