// Facts about the machine the Node object reports: cores, memory, disk, identity and OS, read once.
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuCores: number;
  memoryBytes: number;
  /** Size of the file system holding `rootDir` (ephemeral-storage). */
  diskBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
}

function readTrimmed(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

function osImage(): string {
  const release = readTrimmed('/etc/os-release') ?? '';
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return pretty?.[1] ?? `${os.type()} ${os.release()}`;
}

/** Go's GOARCH names, as Kubernetes reports them. */
export function goArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };
  return names[arch] ?? arch;
}

export function readMachineInfo(rootDir = '/'): MachineInfo {
  let diskBytes = 0;
  try {
    const fs = statfsSync(rootDir);
    diskBytes = fs.blocks * fs.bsize;
  } catch {
    diskBytes = 0;
  }
  const machineID =
    readTrimmed('/etc/machine-id') ?? readTrimmed('/var/lib/dbus/machine-id') ?? os.hostname();
  return {
    cpuCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    diskBytes,
    machineID,
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid') ?? machineID,
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id') ?? '',
    kernelVersion: os.release(),
    osImage: osImage(),
    operatingSystem: process.platform,
    architecture: goArch(),
  };
}
