#!/usr/bin/env node
// Checks each workspace package as it would be published: builds it, reads `npm pack --dry-run` for
// its contents, then installs the packed tarballs into a throwaway project and resolves every export
// at run time (import and require) and its types under `moduleResolution` `nodenext` and `bundler`.
// Usage: node scripts/check-packages.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const names = ['sdk', 'platform', 'cli'];
const problems = [];
const fail = (message) => problems.push(message);
const sh = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const rootLicense = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).license;

/** Every file an `exports` map points at, per subpath and condition. */
function targets(exports) {
  const out = [];
  for (const [subpath, value] of Object.entries(exports)) {
    if (typeof value === 'string') out.push({ subpath, condition: 'default', file: value });
    else for (const [condition, file] of Object.entries(value)) out.push({ subpath, condition, file });
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'wxcoupon-packages-'));
try {
  for (const name of names) sh('npx', ['tsc', '-p', `packages/${name}/tsconfig.build.json`]);
  const project = join(tmp, 'project');
  mkdirSync(join(project, 'node_modules', '@wxcoupon'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
  const deps = new Set(['@types/node']);
  const entries = [];

  for (const name of names) {
    const dir = join(root, 'packages', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const where = pkg.name;
    const [packed] = JSON.parse(sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], dir));
    const files = new Set(packed.files.map((f) => f.path));

    // Contents and metadata.
    for (const required of ['package.json', 'README.md', 'LICENSE']) {
      if (!files.has(required)) fail(`${where}: the tarball has no ${required}`);
    }
    if (existsSync(join(dir, 'LICENSE')) && readFileSync(join(dir, 'LICENSE'), 'utf8') !== license) {
      fail(`${where}: LICENSE differs from the repository's`);
    }
    for (const f of files) {
      if (/\.tsbuildinfo$|(^|\/)test\/|\.test\.|(^|\/)\.wxcoupon\//.test(f)) fail(`${where}: the tarball holds ${f}`);
    }
    if (pkg.license !== rootLicense) fail(`${where}: license ${pkg.license}, the repository's is ${rootLicense}`);
    if (!pkg.repository?.url || pkg.repository.directory !== `packages/${name}`) {
      fail(`${where}: repository must name the repository and packages/${name}`);
    }
    if (pkg.publishConfig?.access !== 'public') fail(`${where}: publishConfig.access must be public`);
    if (pkg.engines?.node !== '>=20.19.0') {
      fail(`${where}: engines.node must be >=20.19.0 (require() of an ES module needs it)`);
    }
    if (name === 'sdk' && pkg.sideEffects !== false) fail(`${where}: sideEffects must be false`);
    for (const { subpath, condition, file } of targets(pkg.exports)) {
      if (condition === 'source') continue;
      if (!files.has(file.replace(/^\.\//, '')))
        fail(`${where}: exports["${subpath}"].${condition} ${file} is not in the tarball`);
    }
    for (const bin of Object.values(pkg.bin ?? {}))
      if (!files.has(bin)) fail(`${where}: bin ${bin} is not in the tarball`);

    // Install the real tarball.
    const tarball = join(
      tmp,
      sh('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], dir).trim().split('\n').pop(),
    );
    const installed = join(project, 'node_modules', where);
    mkdirSync(installed, { recursive: true });
    sh('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (!dep.startsWith('@wxcoupon/')) deps.add(dep);
    for (const { subpath, condition } of targets(pkg.exports)) {
      const typed = typeof pkg.exports[subpath] === 'object' && 'types' in pkg.exports[subpath];
      if (condition === 'default') entries.push({ specifier: join(where, subpath), typed });
    }
    if (name === 'sdk') {
      const { SDK_VERSION } = await import(join(installed, 'dist/version.js'));
      if (SDK_VERSION !== pkg.version)
        fail(`${where}: SDK_VERSION ${SDK_VERSION} is not the package version ${pkg.version}`);
    }
  }
  for (const dep of deps) {
    const link = join(project, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }

  // Every export loads, through import and through require.
  const specifiers = JSON.stringify(entries.map((e) => e.specifier));
  for (const [kind, file, code] of [
    ['import', 'load.mjs', `for (const s of ${specifiers}) await import(s);`],
    ['require', 'load.cjs', `for (const s of ${specifiers}) require(s);`],
  ]) {
    writeFileSync(join(project, file), code);
    try {
      sh(process.execPath, [file], project);
    } catch (err) {
      fail(`${kind}() of the exports failed: ${err.stderr || err.message}`);
    }
  }

  // Types resolve for every typed export under both module resolutions a consumer is likely to use.
  const typed = entries.filter((e) => e.typed);
  const source = [
    ...typed.map((e, i) => `import * as m${i} from '${e.specifier}';`),
    `export const loaded = [${typed.map((_, i) => `m${i}`).join(', ')}];`,
    "import { Wechatpay } from '@wxcoupon/sdk';",
    "export type Sent = Awaited<ReturnType<Wechatpay['request']>>;",
    "export const send = (w: Wechatpay) => w.request('POST /v3/marketing/favor/users/{openid}/coupons', {",
    "  params: { openid: 'o' }, body: { stock_id: '1', out_request_no: 'n', appid: 'a', stock_creator_mchid: '1' } })",
    '  .then((r) => r.data.coupon_id.toUpperCase());',
  ].join('\n');
  for (const [dir, module, moduleResolution] of [
    ['nodenext', 'NodeNext', 'NodeNext'],
    ['bundler', 'ESNext', 'Bundler'],
  ]) {
    mkdirSync(join(project, dir));
    writeFileSync(join(project, dir, 'index.ts'), `${source}\n`);
    // skipLibCheck: resolution is what is checked here (an unresolved import still fails); the packages'
    // own declarations are checked by the build, and the dependencies' are not ours to check.
    const compilerOptions = {
      module,
      moduleResolution,
      target: 'ES2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    writeFileSync(join(project, dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }));
    try {
      sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(project, dir)]);
    } catch (err) {
      fail(`types under moduleResolution ${moduleResolution}: ${err.stdout || err.message}`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`package check: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`package check: ${names.map((n) => `@wxcoupon/${n}`).join(', ')} pack, load and type-check as published`);
