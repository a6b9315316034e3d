// Writes the VENDOR.json of every vendor folder, the motcua-modeler LICENSE and the
// repository's THIRD_PARTY_NOTICES. Run by build.sh after the files are in place:
//
//   node scripts/manifests.mjs <vendor dir> <esbuild metafile dir> <THIRD_PARTY_NOTICES path>
//
// Which npm packages each folder contains:
//   * motcua-modeler, motcua-form-editor: exactly the packages esbuild put in the bundle (from
//     <metafile dir>/<folder>.meta.json);
//   * upstream dist files (bpmn-js, form-js, htmx, alpinejs): the package and its runtime
//     dependency closure in package-lock.json, since their UMD/IIFE builds inline their
//     dependencies (a superset is harmless for the notices).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [vendorDir, metafileDir, noticesPath] = process.argv.slice(2).map(p => resolve(p));

const lock = JSON.parse(readFileSync(join(FRONTEND, 'package-lock.json'), 'utf8'));
const ownPackage = JSON.parse(readFileSync(join(FRONTEND, 'package.json'), 'utf8'));
const esbuildVersion = readJson(join(FRONTEND, 'node_modules/esbuild/package.json')).version;

// The bpmn.io packages say "SEE LICENSE IN LICENSE": MIT plus the watermark clause.
const BPMN_IO_LICENSE = 'bpmn.io (MIT + watermark clause)';

const VENDORS = [
  {
    dir: 'bpmn-js',
    package: 'bpmn-js',
    roots: ['node_modules/bpmn-js'],
    description: 'bpmn-js viewer and modeler, upstream production builds and assets'
  },
  {
    dir: 'motcua-modeler',
    package: 'motcua-modeler',
    version: ownPackage.version,
    description: 'esbuild bundle of frontend/src/modeler.js: bpmn-js Modeler + properties panel + motcua provider',
    metafile: true,
    source: 'frontend/src/modeler.js',
    files: 'motcua-modeler.js and motcua-modeler.css'
  },
  {
    dir: 'motcua-form-editor',
    package: 'motcua-form-editor',
    version: ownPackage.version,
    description: 'esbuild bundle of frontend/src/form-editor.js: form-js editor + motcua palette, Vietnamese types and labels',
    metafile: true,
    source: 'frontend/src/form-editor.js',
    files: 'motcua-form-editor.js'
  },
  {
    dir: 'form-js',
    package: '@bpmn-io/form-js',
    // The UMDs are built from form-js-editor and form-js-viewer (not the playground).
    versionFrom: 'node_modules/@bpmn-io/form-js',
    roots: ['node_modules/@bpmn-io/form-js-editor', 'node_modules/@bpmn-io/form-js-viewer'],
    description: 'form-js viewer UMD build (minified by esbuild) and the viewer and editor stylesheets'
  },
  {
    dir: 'htmx',
    package: 'htmx.org',
    roots: ['node_modules/htmx.org'],
    description: 'htmx, upstream minified build'
  },
  {
    dir: 'alpinejs',
    package: 'alpinejs',
    roots: ['node_modules/alpinejs'],
    description: 'Alpine.js CDN build (auto-starts); LICENSE written by us, the tarball has none'
  }
];

const notices = new Map(); // "name@version" -> {name, version, license, text, dirs:Set}

for (const vendor of VENDORS) {
  const folder = join(vendorDir, vendor.dir);
  const packages = vendor.metafile
    ? bundledFromMetafile(join(metafileDir, `${vendor.dir}.meta.json`))
    : closure(vendor.roots, vendor.versionFrom ? [vendor.versionFrom] : []);

  for (const pkg of packages) {
    const key = `${pkg.name}@${pkg.version}`;
    if (!notices.has(key)) {
      notices.set(key, { ...pkg, text: licenseText(pkg), dirs: new Set() });
    }
    notices.get(key).dirs.add(vendor.dir);
  }

  if (vendor.metafile) {
    writeFileSync(join(folder, 'LICENSE'), bundleLicense(vendor, packages));
  }
  if (!existsSync(join(folder, 'LICENSE'))) {
    throw new Error(`${vendor.dir}: no LICENSE file`);
  }

  const version = vendor.version
    || readJson(join(FRONTEND, vendor.versionFrom || vendor.roots[0], 'package.json')).version;
  const manifest = {
    package: vendor.package,
    version,
    description: vendor.description,
    license: 'LICENSE',
    built_by: `frontend/build.sh (esbuild ${esbuildVersion})`,
    packages_source: vendor.metafile
      ? 'esbuild metafile: exactly the packages in the bundle'
      : 'package-lock.json dependency closure of the upstream package (a superset of what its build inlines)',
    packages: packages.map(({ name, version, license }) => ({ name, version, license })),
    files: hashes(folder)
  };
  writeFileSync(join(folder, 'VENDOR.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`${vendor.dir}/VENDOR.json: ${Object.keys(manifest.files).length} files, ${packages.length} packages`);
}

writeFileSync(noticesPath, thirdPartyNotices([...notices.values()]));
console.log(`${relative(process.cwd(), noticesPath)}: ${notices.size} packages`);


// helpers ///////////////////////////////////////////////////////////////////////

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function describe(location) {
  const pkg = readJson(join(FRONTEND, location, 'package.json'));
  let license = typeof pkg.license === 'string' ? pkg.license : (pkg.license && pkg.license.type) || 'UNKNOWN';
  if (/^SEE LICENSE/i.test(license)) {
    license = BPMN_IO_LICENSE;
  }
  return { name: pkg.name, version: pkg.version, license, location };
}

/** Node's lookup: nested node_modules first, then each parent, then the top level. */
function resolveDependency(fromLocation, name) {
  let base = fromLocation;
  for (;;) {
    const candidate = `${base}/node_modules/${name}`;
    if (lock.packages[candidate]) {
      return candidate;
    }
    const index = base.lastIndexOf('/node_modules/');
    if (index < 0) {
      break;
    }
    base = base.slice(0, index);
  }
  const top = `node_modules/${name}`;
  return lock.packages[top] ? top : null;
}

function closure(roots, extra = []) {
  const seen = new Set(extra);
  const queue = [...roots];
  while (queue.length) {
    const location = queue.shift();
    if (seen.has(location)) {
      continue;
    }
    seen.add(location);
    const entry = lock.packages[location];
    if (!entry) {
      throw new Error(`not in package-lock.json: ${location}`);
    }
    for (const dep of Object.keys(entry.dependencies || {})) {
      const resolved = resolveDependency(location, dep);
      if (!resolved) {
        throw new Error(`${location}: cannot resolve ${dep}`);
      }
      queue.push(resolved);
    }
  }
  return uniquePackages([...seen].map(describe));
}

/**
 * Packages in the esbuild output. A file belongs to the nearest enclosing folder that has a
 * package.json with a version *and* a licence file (this finds vendored copies such as
 * @bpmn-io/properties-panel/preact), else to the folder right under node_modules/.
 */
function bundledFromMetafile(path) {
  const meta = readJson(path);
  const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('.js'))[1];
  const locations = new Set();
  for (const input of Object.keys(output.inputs)) {
    if (!input.includes('node_modules/')) {
      continue; // our own source (frontend/src, bpmn/motcua.moddle.json)
    }
    locations.add(packageLocation(input));
  }
  return uniquePackages([...locations].map(describe));
}

function packageLocation(input) {
  const index = input.lastIndexOf('node_modules/');
  const rest = input.slice(index + 'node_modules/'.length).split('/');
  const rootLength = rest[0].startsWith('@') ? 2 : 1;
  const root = input.slice(0, index) + 'node_modules/' + rest.slice(0, rootLength).join('/');
  let dir = dirname(input);
  while (dir.length > root.length) {
    const pj = join(FRONTEND, dir, 'package.json');
    if (existsSync(pj) && readJson(pj).version && findLicenseFile(join(FRONTEND, dir))) {
      return dir;
    }
    dir = dirname(dir);
  }
  return root;
}

function uniquePackages(packages) {
  const byKey = new Map();
  for (const pkg of packages) {
    byKey.set(`${pkg.name}@${pkg.version}`, pkg);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function findLicenseFile(dir) {
  return readdirSync(dir).find(file => /^licen[cs]e(\.md|\.txt)?$/i.test(file));
}

function licenseText(pkg) {
  const dir = join(FRONTEND, pkg.location);
  const file = findLicenseFile(dir);
  let text;
  if (file) {
    text = readFileSync(join(dir, file), 'utf8');
  } else {
    // Packages published without a licence file: our copy of their notice.
    const override = join(FRONTEND, 'licenses', `${pkg.name.replace('/', '__')}.LICENSE`);
    if (!existsSync(override)) {
      throw new Error(`${pkg.name}@${pkg.version} has no licence file; add ${relative(FRONTEND, override)}`);
    }
    text = readFileSync(override, 'utf8');
  }
  const notice = join(dir, 'NOTICE');
  if (existsSync(notice)) {
    text += '\n\nNOTICE\n\n' + readFileSync(notice, 'utf8');
  }
  return text.trim() + '\n';
}

function hashes(folder) {
  const files = {};
  const walk = dir => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        walk(path);
      } else if (relative(folder, path) !== 'VENDOR.json') {
        files[relative(folder, path).split(sep).join('/')] =
          createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    }
  };
  walk(folder);
  return files;
}

function section(pkg) {
  const title = `${pkg.name} ${pkg.version} (${pkg.license})`;
  return `${'='.repeat(78)}\n${title}\n${'='.repeat(78)}\n\n${pkg.text}`;
}

function bundleLicense(vendor, packages) {
  const entries = packages.map(pkg => ({ ...pkg, text: licenseText(pkg) }));
  return [
    `${vendor.files} ${vendor.files.includes(' and ') ? 'bundle' : 'bundles'} the npm packages below (built by`,
    `frontend/build.sh from ${vendor.source}). Each keeps its own licence, reproduced here.`,
    '',
    'bpmn-js and form-js are distributed under the bpmn.io licence: the bpmn.io watermark that links back to',
    'https://bpmn.io MUST NOT be removed or changed, and must stay fully visible and not visually',
    'overlapped by other elements.',
    '',
    ...entries.map(section)
  ].join('\n');
}

function thirdPartyNotices(packages) {
  packages.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const index = packages.map(pkg =>
    `  ${`${pkg.name} ${pkg.version}`.padEnd(46)} ${pkg.license.padEnd(34)} ${[...pkg.dirs].sort().join(', ')}`);
  return [
    'THIRD-PARTY NOTICES',
    '',
    'Motcua ships third-party browser code under designer/static/designer/vendor/ (built by',
    'frontend/build.sh; see each folder\'s VENDOR.json and LICENSE). This file lists every npm',
    'package whose code is in those files, with its licence text.',
    '',
    'bpmn.io licence (bpmn-js, @bpmn-io/form-js, form-js-editor, form-js-viewer): MIT terms plus',
    '"The source code responsible for displaying the bpmn.io project watermark that links back to',
    'https://bpmn.io as part of rendered diagrams MUST NOT be removed or changed. When this software',
    'is being used in a website or application, the watermark must stay fully visible and not',
    'visually overlapped by other elements." Pages that show the modeler or a form-js editor/viewer',
    'must therefore keep .bjs-powered-by / .fjs-powered-by visible.',
    '',
    'htmx.org is under the Zero-Clause BSD licence (0BSD). DOMPurify is dual-licensed',
    '(MPL-2.0 OR Apache-2.0); Motcua uses it under Apache-2.0. Alpine.js is MIT; its npm',
    'tarball has no licence file, so the notice below is the one from its repository.',
    '',
    'Package                                         Licence                            Vendor folder(s)',
    ...index,
    '',
    ...packages.map(section)
  ].join('\n');
}
