// The request pipeline: an ordered list of stages around the handler, like Kubernetes' handler
// chain. Each stage may answer (and not call next) or pass the request on. Authentication,
// authorization and rate limiting (issue 9) slot in as stages between `resolve` and `dispatch`;
// admission lives in the write path (registry/admission.ts) because it needs the decoded object.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from './http/request-info.js';

export interface PipelineContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Filled by the resolve stage. */
  info: RequestInfo | undefined;
  /** Filled by an authentication stage (none yet): who is asking. */
  user: { name: string; groups: string[] } | undefined;
}

export type Stage = (ctx: PipelineContext, next: () => Promise<void>) => Promise<void>;

export function compose(stages: readonly Stage[]): (ctx: PipelineContext) => Promise<void> {
  return (ctx) => {
    const run = (i: number): Promise<void> => {
      const stage = stages[i];
      return stage ? stage(ctx, () => run(i + 1)) : Promise.resolve();
    };
    return run(0);
  };
}
