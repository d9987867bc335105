import { Control, ControlContext, Violation } from './control';

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

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** Where each pod-bearing kind keeps its pod template (pointer segments to the template). */
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

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins segments into a JSON pointer below `base`. */
export function pointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map(s => '/' + escapePointerSegment(s)).join('');
}

function apiGroup(manifest: any): string {
  const apiVersion = typeof manifest?.apiVersion === 'string' ? manifest.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

// Every control asks for the same manifest's pod view; manifests are not mutated while they are checked.
const VIEWS = new WeakMap<object, PodView | null>();

/** Returns the pod template of a pod-bearing manifest, or undefined for any other kind. */
export function podOf(manifest: any): PodView | undefined {
  if (!isObject(manifest)) return undefined;
  let view = VIEWS.get(manifest);
  if (view === undefined) {
    view = viewOf(manifest) ?? null;
    VIEWS.set(manifest, view);
  }
  return view ?? undefined;
}

function viewOf(manifest: any): PodView | undefined {
  const location = TEMPLATE_PATHS[manifest?.kind];
  if (!location || !location.groups.includes(apiGroup(manifest))) {
    return undefined;
  }
  let template: any = manifest;
  for (const segment of location.path) {
    template = template?.[segment];
  }
  const spec = template?.spec;
  if (!isObject(spec)) {
    return undefined;
  }
  const templatePointer = pointer('', ...location.path);
  const specPointer = pointer(templatePointer, 'spec');
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
  return {
    specPointer,
    spec,
    metadataPointer: pointer(templatePointer, 'metadata'),
    metadata: isObject(template.metadata) ? template.metadata : {},
    containers,
  };
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
 * Base for controls over pod templates: they apply to every pod-bearing kind and check the pod spec
 * and each of its containers.
 */
export abstract class PodControl extends Control {
  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return podOf(manifest) !== undefined;
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    const pod = podOf(manifest);
    return pod ? this.checkPod(pod, context, manifest) : [];
  }

  /** The violations in one pod template. */
  protected abstract checkPod(pod: PodView, context: ControlContext, manifest: any): Violation[];
}
