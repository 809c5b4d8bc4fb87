import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

// Issue 15: the CLI ran TypeScript through tsx at run time, CDK and ECharts were runtime
// dependencies, `npx creditlake` worked only inside the clone and npm printed an install-script
// warning. The package is packed and installed globally as a user would, in a temporary HOME.
describe('npm pack → npm install -g → creditlake from any folder', () => {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const home = join(work, 'home');
  const prefix = join(home, '.npm-global');
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
  // Other tests run the repository's own dist/ meanwhile: pack a copy so its build never swaps that under them.
  const repo = join(work, 'repo');

  const run = (cmd: string, args: string[], cwd: string) =>
    spawnSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      // The user's npm cache keeps the install offline-fast; HOME and the global prefix are fresh.
      env: { ...process.env, HOME: home, npm_config_cache: cache, npm_config_prefix: prefix, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      timeout: 240_000,
    });

  it('packs the compiled CLI, installs without warnings and runs the demo from another folder', () => {
    mkdirSync(home, { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'scripts', 'src', 'sql', 'dashboards']) {
      cpSync(join(ROOT, f), join(repo, f), { recursive: true, filter: (p) => !p.includes(`${join('dashboards', 'dist')}`) });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(repo, 'node_modules'));

    const pack = run('npm', ['pack', '--pack-destination', work], repo);
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(work).find((f) => /^creditlake-.*\.tgz$/.test(f))!;
    expect(tgz).toBeTruthy();

    const install = run('npm', ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', join(work, tgz)], work);
    expect(install.status, install.stderr).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/warn/i);

    const pkg = join(prefix, 'lib', 'node_modules', 'creditlake');
    expect(existsSync(join(pkg, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'dashboards', 'dist', 'assets', 'app.js'))).toBe(true);
    // What local use needs, and no more: no TypeScript loader, CDK, bundler or charting library.
    for (const dev of ['tsx', 'aws-cdk-lib', 'constructs', 'esbuild', 'echarts', 'typescript']) {
      expect(existsSync(join(pkg, 'node_modules', dev)), dev).toBe(false);
    }
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('aws-cdk-lib');

    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const help = run('creditlake', ['--help'], elsewhere);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^creditlake: credit-management data pipeline/);

    const demo = run('creditlake', ['demo', '--customers', '40', '--months', '6', '--no-serve'], elsewhere);
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/Done in/);
    const q = run('creditlake', ['query', "SELECT count(*) AS n FROM dso_monthly WHERE segment = 'ALL'", '--format', 'csv'], elsewhere);
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/^n\r\n[1-9]\d*\r\n$/);
  }, 600_000);
});
