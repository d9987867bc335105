import { Control, ControlContext, Violation } from './control';
import { apiGroupOfVersion, servesKind } from './kubernetes-schema-data';

/** A container of a pod spec, with its JSON pointer. */
export interface ContainerView {
  readonly pointer: string;
  readonly container: any;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: string;
  /** `containers[0]`-style label for messages. */
  readonly label: string;
}

/** The pod template of a manifest, wherever its kind keeps it. */
export interface PodView {
  /** Pointer to the pod spec, e.g. `/spec/template/spec`. */
  readonly specPointer: string;
  readonly spec: any;
  /** Pointer to the pod (template) metadata, e.g. `/spec/template/metadata`. */
  readonly metadataPointer: string;
  readonly metadata: any;
  /** Every container: `containers`, `initContainers` and `ephemeralContainers`. */
  readonly containers: ContainerView[];
}

/**
 * Where each built-in pod-bearing kind keeps its pod template (pointer segments to the template). The API server
 * knows no other field of these kinds, so a pod spec anywhere else in them is never run.
 */
const TEMPLATE_PATHS: Record<string, { groups: string[]; path: string[] }> = {
  Pod: { groups: [''], path: [] },
  PodTemplate: { groups: [''], path: ['template'] },
  ReplicationController: { groups: [''], path: ['spec', 'template'] },
  Deployment: { groups: ['apps'], path: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps'], path: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], path: ['spec', 'template'] },
  DaemonSet: { groups: ['apps'], path: ['spec', 'template'] },
  Job: { groups: ['batch'], path: ['spec', 'template'] },
  CronJob: { groups: ['batch'], path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/** The built-in kinds that run pods (a PodTemplate only stores one), with their API group. */
export const POD_RUNNING_KINDS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(TEMPLATE_PATHS)
  .filter(([kind]) => kind !== 'PodTemplate').map(([kind, { groups }]) => [kind, groups[0]]));

/** Fields a pod spec has and a controller's own spec has not: an object holding one of these as a list is a pod spec. */
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointerSegment(segment: string | number): string {
  const text = String(segment);
  if (!text.includes('~') && !text.includes('/')) return text;
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins segments into a JSON pointer below `base`. */
export function pointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map(s => '/' + escapePointerSegment(s)).join('');
}

function apiGroup(manifest: any): string {
  return apiGroupOfVersion(typeof manifest?.apiVersion === 'string' ? manifest.apiVersion : '');
}

// Every control asks for the same manifest's pod views; manifests are not mutated while they are checked.
const VIEWS = new WeakMap<object, PodView[]>();

/**
 * Every pod template of a manifest, wherever it is kept:
 * - the built-in pod-bearing kinds (TEMPLATE_PATHS): exactly where the API server reads it;
 * - every kind the pinned Kubernetes (1.27) does not serve (custom resources such as Argo Rollouts, Knative Services,
 *   KEDA ScaledJobs, `Deployment` under a foreign group, an unknown kind under a built-in group): every object, at any depth outside `metadata` and `status`,
 *   that holds `containers`, `initContainers` or `ephemeralContainers` as a list is a pod spec, and the object holding
 *   it (when it has `spec` and `metadata`, or just `spec`) its template.
 * Used by the guard and the CLI alike (through the controls), so both see the same pods.
 */
export function podsOf(manifest: any): PodView[] {
  // The controls of one object ask one after another: the last answer saves most lookups.
  if (manifest === lastManifest && lastViews !== undefined) return lastViews;
  if (!isObject(manifest)) return [];
  let views = VIEWS.get(manifest);
  if (views === undefined) {
    views = viewsOf(manifest);
    VIEWS.set(manifest, views);
  }
  lastManifest = manifest;
  lastViews = views;
  return views;
}
let lastManifest: unknown;
let lastViews: PodView[] | undefined;

/** The workload's pod template (the first of podsOf), or undefined for a kind that has none. */
export function podOf(manifest: any): PodView | undefined {
  return podsOf(manifest)[0];
}

function viewsOf(manifest: any): PodView[] {
  const group = apiGroup(manifest);
  const location = TEMPLATE_PATHS[manifest.kind];
  if (location && location.groups.includes(group)) {
    let template: any = manifest;
    for (const segment of location.path) template = template?.[segment];
    if (!isObject(template) || !isObject(template.spec)) return [];
    return [viewAt(template.spec, [...location.path, 'spec'], template.metadata, [...location.path, 'metadata'])];
  }
  // Any other kind Kubernetes serves has no pod template; every kind it does not serve is searched.
  if (servesKind(manifest.apiVersion, manifest.kind)) return [];
  const views: PodView[] = [];
  findPodSpecs(manifest, [], views);
  return views;
}

/** A pod view of the pod spec at `specPath`, with the template metadata at `metadataPath` (when there is one). */
function viewAt(spec: any, specPath: Array<string | number>, metadata: any, metadataPath: Array<string | number>): PodView {
  const specPointer = pointer('', ...specPath);
  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container: any, index: number) => {
      if (isObject(container)) {
        containers.push({ pointer: pointer(specPointer, list, index), container, list, label: `${list}[${index}] '${container.name ?? ''}'` });
      }
    });
  }
  return { specPointer, spec, metadataPointer: pointer('', ...metadataPath), metadata: isObject(metadata) ? metadata : {}, containers };
}

function isPodSpec(value: any): boolean {
  return isObject(value) && CONTAINER_LISTS.some(list => Array.isArray(value[list]));
}

/**
 * The generic rule: every pod spec below `node` (at `path`), outermost first. An object whose `spec` is a pod spec is
 * its template (`metadata` beside `spec`); a pod spec under any other key is a template without metadata. A pod spec
 * is not searched further: nothing inside one runs as another pod.
 */
function findPodSpecs(node: any, path: Array<string | number>, views: PodView[]): void {
  // No depth limit: a pod template hidden deeper than any limit would go unchecked (a stack overflow fails closed).
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((item, index) => findPodSpecs(item, [...path, index], views));
    return;
  }
  if (isPodSpec(node.spec)) {
    views.push(viewAt(node.spec, [...path, 'spec'], node.metadata, [...path, 'metadata']));
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    if (path.length === 0 && (key === 'metadata' || key === 'status')) continue;
    if (isPodSpec(child)) {
      views.push(viewAt(child, [...path, key], undefined, [...path, key, 'metadata']));
      continue;
    }
    findPodSpecs(child, [...path, key], views);
  }
}

/** True for a plain JSON object. */
export function isObject(value: any): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when the pod declares itself a Windows pod (`spec.os.name: windows`). */
export function isWindowsPod(pod: PodView): boolean {
  return pod.spec.os?.name === 'windows';
}

/**
 * Base for controls over pod templates: they apply to every pod-bearing kind (see podsOf) and check each pod spec
 * and each of its containers.
 */
export abstract class PodControl extends Control {
  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return podsOf(manifest).length > 0;
  }

  /** Every pod template of the manifest (a custom resource may hold several). */
  public check(manifest: any, context: ControlContext): Violation[] {
    const pods = podsOf(manifest);
    // Nearly every manifest has one pod template: no list of lists for it (every pod control, on every object).
    return pods.length === 1 ? this.checkPod(pods[0], context, manifest) : pods.flatMap(pod => this.checkPod(pod, context, manifest));
  }

  /** The violations in one pod template. */
  protected abstract checkPod(pod: PodView, context: ControlContext, manifest: any): Violation[];
}
