import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Entry = {
  flags: Record<string, unknown>;
  main(argv: string[]): Promise<number | undefined>;
};

const cli = fileURLToPath(new URL('./kubelite.ts', import.meta.url));

/** The subcommands `kubelite --help` lists (each is src/cmd/<name>.ts). */
function listedCommands(): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
  const section = out.slice(out.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
}

// `version` is answered by the dispatcher; `bench` hands every argument, --help too, to the suite in
// bench/run-all.ts (a source checkout's script with its own usage text).
const commands = listedCommands().filter((c) => c !== 'version' && c !== 'bench');

async function help(name: string, flag: string): Promise<{ code: number | undefined; out: string }> {
  const entry = (await import(/* @vite-ignore */ `./${name}.js`)) as Entry;
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await entry.main([flag]);
  return { code, out: write.mock.calls.map((c) => String(c[0])).join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('kubelite <command> --help', () => {
  it('finds the subcommands in the dispatcher', () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        'apiserver',
        'scheduler',
        'controller-manager',
        'kubelet',
        'proxy',
        'up',
        'down',
      ]),
    );
  });

  it.each(commands)(
    '%s: one line per flag of its parseArgs table, the KUBELITE_ rule, exit 0',
    async (name) => {
      const { flags } = (await import(/* @vite-ignore */ `./${name}.js`)) as Entry;
      expect(Object.keys(flags).length).toBeGreaterThan(1);
      const { code, out } = await help(name, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: kubelite ${name}\\b`));
      for (const key of Object.keys(flags)) {
        // At the start of a line, not inside a longer flag name (--node-name vs --node-name-prefix).
        expect(out, `--${key}`).toMatch(new RegExp(`^ +(-\\w, )?--${key}(?![\\w-])`, 'm'));
      }
      expect(out).toContain('KUBELITE_<FLAG>');
      expect((await help(name, '-h')).out).toBe(out);
    },
  );
});
