// Typed runtime failures. The kubelet turns codes into container waiting reasons: ImageNotPresent →
// ErrImageNeverPull, StartFailed → the terminated StartError it then sees in the status, and so on.
export type RuntimeErrorCode =
  | 'NotFound'
  | 'NotRunning'
  | 'AlreadyExists'
  | 'ImageNotPresent'
  | 'StartFailed'
  | 'InvalidConfig'
  | 'HostPortUnavailable'
  | 'Unsupported'
  | 'Unavailable';

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
    this.code = code;
  }
}

export function isRuntimeError(err: unknown, code?: RuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}

export function containerNotFound(id: string): RuntimeError {
  return new RuntimeError('NotFound', `container "${id}" not found`);
}

export function sandboxNotFound(id: string): RuntimeError {
  return new RuntimeError('NotFound', `pod sandbox "${id}" not found`);
}

export function imageNotPresent(image: string): RuntimeError {
  return new RuntimeError(
    'ImageNotPresent',
    `image "${image}" is not present on the node and is never pulled`,
  );
}

export function containerNotRunning(id: string): RuntimeError {
  return new RuntimeError('NotRunning', `container "${id}" is not running`);
}
