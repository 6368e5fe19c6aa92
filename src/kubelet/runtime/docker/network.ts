// The pod network: a Docker bridge network the runtime creates and owns, `kubelite0`, created
// Internal (Docker installs no masquerade and drops forwarding to anything outside the subnet). The
// host keeps the bridge's gateway address, so pods reach the node (its proxy) there; the pause
// program also removes each pod's default route, so nothing leaves even if a host rule is missing.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import type { PodNetwork } from '../types.js';

export const ownerLabel = 'io.kubelite.owner';

export interface PodNetworkOptions {
  name: string;
  /** Subnet when the network has to be created (default: Docker picks a free private range). */
  subnet?: string;
}

/** Finds or creates the pod network; refuses a same-named network that is not internal. */
export async function ensurePodNetwork(docker: Dockerode, options: PodNetworkOptions): Promise<PodNetwork> {
  let info = await inspectNetwork(docker, options.name);
  if (!info) {
    try {
      await docker.createNetwork({
        Name: options.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Labels: { [ownerLabel]: 'kubelite' },
        Options: {
          'com.docker.network.bridge.name': options.name.slice(0, 15),
          'com.docker.network.bridge.enable_ip_masquerade': 'false',
        },
        ...(options.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: options.subnet }] } } : {}),
      });
    } catch (err) {
      // Another kubelet on this machine may have created it at the same moment.
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    }
    info = await inspectNetwork(docker, options.name);
  }
  if (!info) throw new RuntimeError('Unavailable', `docker network ${options.name} vanished after creation`);
  if (!info.Internal || info.Driver !== 'bridge') {
    throw new RuntimeError(
      'InvalidConfig',
      `docker network ${options.name} exists but is not an internal bridge network; pods could reach ` +
        'beyond this machine through it. Remove it (docker network rm) and kubelite recreates it.',
    );
  }
  const config = info.IPAM?.Config?.[0];
  if (!config?.Subnet || !config.Gateway) {
    throw new RuntimeError('InvalidConfig', `docker network ${options.name} has no IPv4 subnet and gateway`);
  }
  return { cidr: config.Subnet, gatewayIp: config.Gateway };
}

async function inspectNetwork(
  docker: Dockerode,
  name: string,
): Promise<Dockerode.NetworkInspectInfo | undefined> {
  try {
    return (await docker.getNetwork(name).inspect()) as Dockerode.NetworkInspectInfo;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}
