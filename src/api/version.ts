// What /version answers. kubectl 1.32's dispatcher picks its implementation by the server's minor.
export const kubeliteVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubelite',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-25T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
} as const;
