'use strict'
// The package as npm ships it: the ES module entry re-exports every name of the CommonJS entry, the
// main package and the platform packages (npm/<platform>/) agree with napi.targets, and a missing
// native binding is reported honestly — the platform looked for, the package expected, what became of
// it and the published platforms — instead of napi's "npm has a bug related to optional dependencies".
// The loader cases run `require('alipay-isv')` in child processes on a faked platform (process.platform,
// process.arch, and musl told by /usr/bin/ldd, as the generated loader tells it).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const repo = path.join(root, '..')
const pkg = require('../package.json')

test('main.mjs exports every name of the CommonJS entry, and the module itself as default', async () => {
  const cjs = require('..')
  const esm = await import(path.join(root, 'main.mjs'))
  const names = Object.keys(esm).filter((name) => name !== 'default').sort()
  // `__…`: the loader's stamp and the test hooks of debug builds, not part of the API.
  const expected = Object.keys(cjs).filter((name) => !name.startsWith('__')).sort()
  assert.deepEqual(names, expected)
  assert.equal(esm.default, cjs)
  for (const name of names) {
    assert.equal(esm[name], cjs[name], name)
  }
  assert.equal(typeof esm.Gateway, 'function')
  assert.equal(typeof esm.Emulator, 'function')
})

test('main.mjs is what scripts/esm-entry.js generates from index.js and main.js', () => {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'esm-entry.js'), '--check'], {
    encoding: 'utf8',
  })
  assert.equal(run.status, 0, run.stderr)
})

test('the main package: public, exports for both module systems, no native binary in it', () => {
  assert.equal(pkg.private, undefined)
  assert.equal(pkg.main, 'main.js')
  assert.deepEqual(pkg.exports['.'], { types: './main.d.ts', import: './main.mjs', require: './main.js' })
  for (const file of pkg.files) {
    assert.ok(!file.endsWith('.node') && !file.includes('*'), `files lists ${file}`)
    assert.ok(fs.existsSync(path.join(root, file)), `files lists ${file}, which is missing`)
  }
  for (const file of ['main.js', 'main.mjs', 'main.d.ts', 'LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.ok(pkg.files.includes(file), `files lacks ${file}`)
  }
  // Added by scripts/package/node.sh when packing (as `napi prepublish` does): the platform packages
  // are not in the registry yet, so `npm ci` could not install the development lock with them.
  assert.equal(pkg.optionalDependencies, undefined)
  assert.equal(pkg.repository.url, cargoRepository())
  assert.equal(pkg.version, cargoVersion())
})

test('one platform package per napi target, named and restricted as the loader expects', () => {
  const platforms = pkg.napi.targets.map(platformOfTriple)
  for (const wanted of ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu']) {
    assert.ok(platforms.includes(wanted), `napi.targets lacks ${wanted}`)
  }
  assert.deepEqual(fs.readdirSync(path.join(root, 'npm')).sort(), [...platforms].sort())
  for (const platform of platforms) {
    const dir = path.join(root, 'npm', platform)
    const sub = require(path.join(dir, 'package.json'))
    const [system, cpu, abi] = platform.split('-')
    const binary = `alipay-isv.${platform}.node`
    assert.equal(sub.name, `alipay-isv-${platform}`)
    assert.equal(sub.version, pkg.version)
    assert.equal(sub.license, pkg.license)
    assert.deepEqual(sub.repository, pkg.repository)
    assert.deepEqual(sub.os, [system])
    assert.deepEqual(sub.cpu, [cpu])
    if (system === 'linux') {
      assert.deepEqual(sub.libc, [abi === 'musl' ? 'musl' : 'glibc'])
    } else {
      assert.equal(sub.libc, undefined)
    }
    assert.equal(sub.main, binary)
    assert.deepEqual(sub.files, [binary, 'LICENSE-MIT', 'LICENSE-APACHE'])
    assert.ok(fs.existsSync(path.join(dir, 'README.md')), `${platform} has no README`)
    // The loader requires exactly this name.
    assert.match(fs.readFileSync(path.join(root, 'index.js'), 'utf8'), new RegExp(`require\\('${sub.name}'\\)`))
  }
})

test('the licence copies are the repository root ones', () => {
  const dirs = [root, ...fs.readdirSync(path.join(root, 'npm')).map((dir) => path.join(root, 'npm', dir))]
  for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    const original = fs.readFileSync(path.join(repo, licence))
    for (const dir of dirs) {
      assert.ok(original.equals(fs.readFileSync(path.join(dir, licence))), `${dir}/${licence} differs`)
    }
  }
})

// Runs `require(entry)` in a child process on a faked platform; resolves to the thrown error's fields.
function loadOn(fake, entry = path.join(root, 'main.js'), env = {}) {
  const preload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-loader-')), 'fake.js')
  fs.writeFileSync(
    preload,
    `'use strict'
const fs = require('fs')
const fake = ${JSON.stringify(fake)}
if (fake.libc) {
  const readFileSync = fs.readFileSync
  fs.readFileSync = function (file, ...rest) {
    if (file === '/usr/bin/ldd') {
      return fake.libc === 'musl' ? 'musl libc (x86_64)\\nVersion 1.2.4\\n' : 'ldd (GNU libc) 2.36\\n'
    }
    return readFileSync.call(this, file, ...rest)
  }
}
if (fake.platform) Object.defineProperty(process, 'platform', { value: fake.platform })
if (fake.arch) Object.defineProperty(process, 'arch', { value: fake.arch })
`,
  )
  const program = `
    try {
      require(${JSON.stringify(entry)})
      console.log(JSON.stringify({ loaded: true }))
    } catch (error) {
      console.log(JSON.stringify({
        message: error.message, platform: error.platform, expectedPackage: error.expectedPackage,
        publishedPlatforms: error.publishedPlatforms, cause: error.cause ? String(error.cause.message) : null,
      }))
    }`
  const environment = { ...process.env, ...env }
  if (!('NAPI_RS_NATIVE_LIBRARY_PATH' in env)) {
    delete environment.NAPI_RS_NATIVE_LIBRARY_PATH
  }
  const run = spawnSync(process.execPath, ['--require', preload, '-e', program], {
    encoding: 'utf8',
    env: environment,
  })
  fs.rmSync(path.dirname(preload), { recursive: true, force: true })
  assert.equal(run.status, 0, run.stderr)
  return JSON.parse(run.stdout.trim().split('\n').pop())
}

const published = ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc']

function assertHonest(result, platform) {
  assert.equal(result.loaded, undefined, 'the binding loaded')
  assert.equal(result.platform, platform)
  assert.equal(result.expectedPackage, `alipay-isv-${platform}`)
  assert.deepEqual(result.publishedPlatforms, published)
  assert.ok(result.message.includes(`(${platform})`), result.message)
  assert.ok(result.message.includes(`expected the package alipay-isv-${platform}`), result.message)
  assert.ok(result.message.includes(`Published platforms: ${published.join(', ')}.`), result.message)
  assert.ok(!/npm has a bug|optional dependencies \(https/.test(result.message), result.message)
  // napi's own error stays reachable as the cause.
  assert.match(result.cause, /Cannot find native binding/)
}

test('a published platform whose package is not installed: linux-x64-musl', () => {
  const result = loadOn({ platform: 'linux', arch: 'x64', libc: 'musl' })
  assertHonest(result, 'linux-x64-musl')
  assert.match(result.message, /alipay-isv-linux-x64-musl is not installed\. npm installs it as an optional dependency/)
  assert.match(result.message, /--omit=optional/)
})

test('a published platform elsewhere than Linux: darwin-arm64', () => {
  const result = loadOn({ platform: 'darwin', arch: 'arm64' })
  assertHonest(result, 'darwin-arm64')
  assert.match(result.message, /alipay-isv-darwin-arm64 is not installed/)
})

test('a platform nothing is published for: linux-riscv64-gnu', () => {
  const result = loadOn({ platform: 'linux', arch: 'riscv64', libc: 'glibc' })
  assertHonest(result, 'linux-riscv64-gnu')
  assert.match(result.message, /No package is published for linux-riscv64-gnu\. Build the addon from the source repository/)
  assert.ok(result.message.includes(pkg.repository.url), result.message)
})

test('the platform package installed but not loadable: its error is shown', () => {
  // A project with the main package and a platform package whose binary is not a shared object.
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-broken-'))
  try {
    const main = path.join(project, 'node_modules', 'alipay-isv')
    const platform = path.join(project, 'node_modules', 'alipay-isv-linux-x64-musl')
    fs.mkdirSync(main, { recursive: true })
    fs.mkdirSync(platform, { recursive: true })
    for (const file of ['package.json', 'main.js', 'index.js', 'gateway.js']) {
      fs.copyFileSync(path.join(root, file), path.join(main, file))
    }
    fs.copyFileSync(path.join(root, 'npm', 'linux-x64-musl', 'package.json'), path.join(platform, 'package.json'))
    fs.writeFileSync(path.join(platform, 'alipay-isv.linux-x64-musl.node'), 'not an ELF file\n')
    const result = loadOn({ platform: 'linux', arch: 'x64', libc: 'musl' }, path.join(main, 'main.js'))
    assertHonest(result, 'linux-x64-musl')
    assert.match(result.message, /alipay-isv-linux-x64-musl is installed but could not be loaded: .*(invalid ELF header|file too short)/)
  } finally {
    fs.rmSync(project, { recursive: true, force: true })
  }
})

test('NAPI_RS_NATIVE_LIBRARY_PATH pointing nowhere is named as the reason', () => {
  const nowhere = path.join(os.tmpdir(), 'alipay-isv-nowhere', 'alipay-isv.node')
  const result = loadOn({}, path.join(root, 'main.js'), { NAPI_RS_NATIVE_LIBRARY_PATH: nowhere })
  assert.equal(result.loaded, undefined)
  assert.ok(result.message.includes(`NAPI_RS_NATIVE_LIBRARY_PATH is set (${nowhere}) and could not be loaded`), result.message)
  assert.ok(!/npm has a bug/.test(result.message), result.message)
})

test('on this machine the binding loads through main.js', () => {
  assert.deepEqual(loadOn({}), { loaded: true })
})

function platformOfTriple(triple) {
  const arches = { x86_64: 'x64', aarch64: 'arm64' }
  const [arch, , system, abi] = triple.split('-')
  const platform = system === 'windows' ? 'win32' : system
  return [platform, arches[arch] || arch, platform === 'darwin' ? null : abi].filter(Boolean).join('-')
}

function cargoManifestValue(key) {
  const text = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8')
  const section = text.slice(text.indexOf('[workspace.package]'))
  return section.match(new RegExp(`^${key} = "(.*)"$`, 'm'))[1]
}

function cargoRepository() {
  return cargoManifestValue('repository')
}

function cargoVersion() {
  return cargoManifestValue('version')
}
