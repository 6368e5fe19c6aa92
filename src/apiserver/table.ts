// meta.k8s.io/v1 Tables: what `kubectl get` asks for and prints. The columns and cells are those of
// real Kubernetes 1.32 (see table/printers.ts); each row carries the object as kubectl needs it for
// `-A`, `--show-labels` and `-L`: PartialObjectMetadata by default, the full object, or nothing.
import type { KubeObject, Table, TableColumnDefinition, TableRow } from '../api/types.js';
import type { IncludeObject } from './negotiate.js';
import { defaultPrinter, type Printer, printers } from './table/printers.js';

export { humanDuration, timestampSince } from './table/duration.js';

export interface ToTableOptions {
  nowMs: number;
  /** Default 'Metadata', what kubectl uses. */
  includeObject?: IncludeObject;
  /** metadata.resourceVersion of the Table (the list's, or the object's for a single GET or watch event). */
  resourceVersion?: string;
  /**
   * Kubernetes sends column definitions in a watch's first Table only; pass false for later events.
   * Default true.
   */
  includeColumnDefinitions?: boolean;
}

function printerOf(resource: string): Printer {
  return printers.get(resource) ?? defaultPrinter;
}

/** The columns of a resource's Table, wide (priority 1) columns included. */
export function tableColumns(resource: string): TableColumnDefinition[] {
  return printerOf(resource).columns.map((c) => ({ ...c }));
}

/** The object a row carries: PartialObjectMetadata with the full metadata, the object itself, or none. */
export function rowObject(obj: KubeObject, includeObject: IncludeObject = 'Metadata'): unknown {
  switch (includeObject) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
}

export function tableRow(
  resource: string,
  obj: KubeObject,
  nowMs: number,
  includeObject: IncludeObject = 'Metadata',
): TableRow {
  const { cells, conditions } = printerOf(resource).row(obj, nowMs);
  const row: TableRow = { cells };
  if (conditions) row.conditions = conditions;
  const object = rowObject(obj, includeObject);
  if (object !== undefined) row.object = object;
  return row;
}

export function toTable(resource: string, objects: readonly KubeObject[], options: ToTableOptions): Table {
  const table: Table = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: options.includeColumnDefinitions === false ? [] : tableColumns(resource),
    rows: objects.map((o) => tableRow(resource, o, options.nowMs, options.includeObject)),
  };
  return table;
}
