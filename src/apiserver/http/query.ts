// Query parameters of list, watch and write requests, parsed and checked once per request.
import { badRequest } from '../../api/errors.js';
import { type FieldSelector, parseFieldSelector } from '../../api/fields.js';
import { type LabelSelector, parseLabelSelector } from '../../api/labels.js';
import { isTrue } from './request-info.js';

export interface ListQuery {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** undefined when absent: "most recent" (a consistent read). */
  resourceVersion: string | undefined;
  resourceVersionMatch: 'NotOlderThan' | 'Exact' | undefined;
  timeoutSeconds: number | undefined;
  allowWatchBookmarks: boolean;
}

export function parseListQuery(query: URLSearchParams): ListQuery {
  const rvMatch = query.get('resourceVersionMatch') || undefined;
  if (rvMatch !== undefined && rvMatch !== 'NotOlderThan' && rvMatch !== 'Exact') {
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${rvMatch}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  const resourceVersion = query.get('resourceVersion') || undefined;
  if (resourceVersion !== undefined) parseResourceVersion(resourceVersion);
  // Watch-list (sendInitialEvents=true) sends resourceVersionMatch=NotOlderThan with an empty resourceVersion.
  const sendInitialEvents = isTrue(query.get('sendInitialEvents'));
  if (
    rvMatch !== undefined &&
    resourceVersion === undefined &&
    !(sendInitialEvents && rvMatch === 'NotOlderThan')
  ) {
    throw badRequest(
      'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
  }
  return {
    labelSelector: parseLabelSelector(query.get('labelSelector') ?? ''),
    fieldSelector: parseFieldSelector(query.get('fieldSelector') ?? ''),
    resourceVersion,
    resourceVersionMatch: rvMatch,
    timeoutSeconds: optionalInt(query, 'timeoutSeconds', 0),
    allowWatchBookmarks: isTrue(query.get('allowWatchBookmarks')),
  };
}

/** A resourceVersion is a decimal revision; anything else is a 400 as in Kubernetes. */
export function parseResourceVersion(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version "${text}"`);
  return Number(text);
}

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface WriteQuery {
  dryRun: boolean;
  fieldManager: string | undefined;
  fieldValidation: FieldValidation;
  force: boolean;
}

export function parseWriteQuery(query: URLSearchParams): WriteQuery {
  const dryRunValues = query.getAll('dryRun').filter((v) => v !== '');
  for (const v of dryRunValues) {
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  const validation = query.get('fieldValidation') || 'Ignore';
  if (validation !== 'Ignore' && validation !== 'Warn' && validation !== 'Strict') {
    throw badRequest(
      `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  const fieldManager = query.get('fieldManager') || undefined;
  if (fieldManager !== undefined && fieldManager.length > 128) {
    throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  }
  return {
    dryRun: dryRunValues.length > 0,
    fieldManager,
    fieldValidation: validation,
    force: isTrue(query.get('force')),
  };
}

export function optionalInt(query: URLSearchParams, name: string, min: number): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^-?\d+$/.test(text) || Number(text) < min) {
    throw badRequest(`${name}: Invalid value: "${text}": must be an integer >= ${min}`);
  }
  return Number(text);
}
