// Resource arithmetic for scheduling, in plain numbers: cpu in millicores, memory and everything
// else in units (bytes for memory). Quantities are parsed exactly by src/api/quantity.ts once, when a
// pod or node enters the cache, so the per-node hot path compares numbers only.
import { Quantity } from '../../api/quantity.js';
import type { Container, Pod, ResourceList } from '../../api/types.js';

/** Requests (or allocatable) of one pod or node. `scalar` holds resources other than cpu, memory
 *  and pods (ephemeral-storage, extended resources); absent when there are none. */
export interface Resources {
  milliCpu: number;
  memory: number;
  scalar?: Map<string, number>;
}

/** Defaults Kubernetes uses for scoring containers that request nothing (not for fitting). */
export const defaultMilliCpuRequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

// Users write the same few strings thousands of times ("100m", "128Mi"): parse each once.
const milliCache = new Map<string, number>();
const unitCache = new Map<string, number>();
const cacheLimit = 10_000;

function cached(cache: Map<string, number>, text: string, parse: (q: Quantity) => bigint): number {
  let v = cache.get(text);
  if (v === undefined) {
    v = Number(parse(Quantity.parse(text)));
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(text, v);
  }
  return v;
}

export function milliValueOf(text: string): number {
  return cached(milliCache, text, (q) => q.milliValue());
}

export function unitValueOf(text: string): number {
  return cached(unitCache, text, (q) => q.value());
}

/** A resource's amount in the unit the scheduler counts it in (millicores for cpu). */
export function amountOf(name: string, text: string): number {
  return name === 'cpu' ? milliValueOf(text) : unitValueOf(text);
}

export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0 };
}

/** Adds a ResourceList into `into`, skipping `pods` (counted separately) and unparseable values
 *  (the apiserver validates quantities; a bad one must not stop the scheduler). */
function addList(into: Resources, list: ResourceList | undefined, mode: 'add' | 'max'): void {
  if (!list) return;
  for (const name in list) {
    if (name === 'pods') continue;
    let amount: number;
    try {
      amount = amountOf(name, list[name]!);
    } catch {
      continue;
    }
    combine(into, name, amount, mode);
  }
}

function combine(into: Resources, name: string, amount: number, mode: 'add' | 'max'): void {
  const pick = (old: number) => (mode === 'add' ? old + amount : Math.max(old, amount));
  if (name === 'cpu') into.milliCpu = pick(into.milliCpu);
  else if (name === 'memory') into.memory = pick(into.memory);
  else {
    into.scalar ??= new Map();
    into.scalar.set(name, pick(into.scalar.get(name) ?? 0));
  }
}

/** A container's effective requests: requests, or limits where no request is given (the API's default). */
function containerRequests(c: Container): ResourceList | undefined {
  const req = c.resources?.requests;
  const lim = c.resources?.limits;
  if (!lim) return req;
  if (!req) return lim;
  return { ...lim, ...req };
}

/**
 * What a pod asks of a node: the sum over its containers, or the largest init container if
 * that is more (init containers run one at a time before the others), per resource.
 */
export function podRequests(pod: Pod): Resources {
  const sum = emptyResources();
  for (const c of pod.spec.containers ?? []) addList(sum, containerRequests(c), 'add');
  const init = pod.spec.initContainers;
  if (init?.length) {
    for (const c of init) addList(sum, containerRequests(c), 'max');
  }
  return sum;
}

/** Requests for scoring: a container that names no cpu or memory counts as the defaults, so that
 *  least-allocated scoring still spreads pods that request nothing. */
export function podNonZeroRequests(pod: Pod): Resources {
  const sum = emptyResources();
  const each = (c: Container, mode: 'add' | 'max') => {
    const r = containerRequests(c);
    const cpu = r?.cpu === undefined ? defaultMilliCpuRequest : safe(() => milliValueOf(r.cpu!));
    const mem = r?.memory === undefined ? defaultMemoryRequest : safe(() => unitValueOf(r.memory!));
    combine(sum, 'cpu', cpu, mode);
    combine(sum, 'memory', mem, mode);
  };
  for (const c of pod.spec.containers ?? []) each(c, 'add');
  for (const c of pod.spec.initContainers ?? []) each(c, 'max');
  return sum;
}

function safe(f: () => number): number {
  try {
    return f();
  } catch {
    return 0;
  }
}

export interface Allocatable extends Resources {
  pods: number;
}

/** A node's allocatable resources (capacity when allocatable is not reported). */
export function nodeAllocatable(list: ResourceList | undefined): Allocatable {
  const r: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  addList(r, list, 'add');
  if (list?.pods !== undefined) r.pods = safe(() => unitValueOf(list.pods!));
  return r;
}
