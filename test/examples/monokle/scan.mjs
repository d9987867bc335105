// Scans Kubernetes YAML files with @monokle/validation, offline, and prints the findings as JSON on stdout.
// Usage: node test/examples/monokle/scan.mjs <file.yaml>...
// A separate ESM process because the package is ESM-only (jest runs the tests as CommonJS).
// Offline: the open-policy-agent plugin reads the Trivy policy bundle from trivy.wasm beside this file (see
// SOURCES.txt) instead of fetching it from plugins.monokle.com; kubernetes-schema is not loaded (it fetches its
// schemas from plugins.monokle.com and silently skips a resource when the fetch fails, which would look like a pass).
import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';
import { load as loadYaml } from 'js-yaml';
import {
  DefaultPluginLoader, DisabledFixer, MonokleValidator, OpenPolicyAgentValidator, ResourceParser, SchemaLoader,
} from '@monokle/validation';

const here = dirname(fileURLToPath(import.meta.url));
const WASM = join(here, 'trivy.wasm');
/** Every core plugin of @monokle/validation 0.33 (CORE_PLUGINS) but kubernetes-schema (see above). */
export const PLUGINS = ['pod-security-standards', 'practices', 'yaml-syntax', 'resource-links', 'open-policy-agent', 'metadata'];

class LocalWasmLoader {
  async load(path) {
    if (path !== WASM) throw new Error(`monokle scan is offline: open-policy-agent asked for ${path}, expected ${WASM}`);
    const bytes = readFileSync(path);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
}

const loader = new DefaultPluginLoader();
loader.register('open-policy-agent', ({ parser }) => new OpenPolicyAgentValidator(parser, new LocalWasmLoader()));
// No fetch may leave this process: a plugin that tries fails loudly instead of passing on an empty schema.
globalThis.fetch = async url => { throw new Error(`monokle scan is offline, refused fetch of ${url}`); };

const resources = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const docs = text.split(/^---\s*$/m).filter(doc => doc.trim() !== '');
  docs.forEach((doc, index) => {
    const content = loadYaml(doc);
    if (!content) return;
    resources.push({
      id: `${file}#${index}`, fileId: file, filePath: file, fileOffset: 0, text: doc, content,
      name: content.metadata?.name ?? '', apiVersion: content.apiVersion, kind: content.kind, namespace: content.metadata?.namespace,
    });
  });
}


const validator = new MonokleValidator({ loader, parser: new ResourceParser(), schemaLoader: new SchemaLoader(), suppressors: [], fixer: new DisabledFixer() });
await validator.preload({ plugins: Object.fromEntries(PLUGINS.map(p => [p, true])), settings: { 'open-policy-agent': { wasmSrc: WASM } } });
const failed = validator.getFailedPlugins();
// MonokleValidator drops a plugin whose configuration or run fails (Promise.allSettled): check each one is usable.
const unconfigured = validator.getPlugins().filter(p => !p.configured).map(p => p.metadata.name);
if (unconfigured.length > 0) {
  console.error(`monokle plugins not configured: ${unconfigured.join(', ')}`);
  process.exit(2);
}
const loaded = validator.getPlugins().map(p => p.metadata.name);
const missing = PLUGINS.filter(p => !loaded.includes(p));
if (failed.length > 0 || missing.length > 0) {
  console.error(`monokle plugins failed to load: ${[...failed, ...missing].join(', ')}`);
  process.exit(2);
}
const sarif = await validator.validate({ resources });
const byId = new Map(resources.map(r => [r.id, r]));
const findings = [];
for (const run of sarif.runs) {
  for (const result of run.results ?? []) {
    const id = result.locations?.[1]?.physicalLocation?.artifactLocation?.uri;
    const resource = byId.get(id);
    const element = result.locations?.[1]?.logicalLocations?.find(l => l.kind === 'element')?.fullyQualifiedName;
    findings.push({
      rule: result.ruleId,
      level: result.level ?? 'warning',
      object: resource ? `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}` : `(unknown: ${id})`,
      file: resource?.filePath,
      element,
      message: result.message?.text,
    });
  }
}
console.log(JSON.stringify({ plugins: loaded, resources: resources.length, findings }));
