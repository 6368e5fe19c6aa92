// How the apiserver reaches kubelets over https (pod logs): with its kubelet client certificate, so
// that kubelets serving only authenticated callers let it in, and the cluster CA to verify them.
import { Agent, type Dispatcher } from 'undici';

export interface KubeletClientTls {
  cert?: string | Buffer;
  key?: string | Buffer;
  /** CA that signed the kubelets' serving certificates; absent: the system's roots. */
  ca?: string | Buffer;
}

const agents = new WeakMap<KubeletClientTls, Dispatcher>();

/** One keep-alive agent per TLS setting (undefined: undici's global dispatcher). */
export function kubeletDispatcher(tls: KubeletClientTls | undefined): Dispatcher | undefined {
  if (!tls) return undefined;
  let agent = agents.get(tls);
  if (!agent) {
    agent = new Agent({ connect: { cert: tls.cert, key: tls.key, ca: tls.ca } });
    agents.set(tls, agent);
  }
  return agent;
}
