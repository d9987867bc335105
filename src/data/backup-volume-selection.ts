import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { isObject, podsOf } from '../controls/core/pod-template';
import { allJsonByNamespace } from '../namespaces/workload-usage';

/** Velero's pod annotation naming the volumes its file-system backup must not copy. */
export const CACHE_EXCLUDES_ANNOTATION = 'backup.velero.io/backup-volumes-excludes';
/** Volume types Velero's file-system backup never copies (their contents come from the API or the node). */
const NOT_COPIED = ['secret', 'configMap', 'projected', 'downwardAPI', 'hostPath'];
/**
 * The volume names an excludes annotation value names, as Velero reads it: split on ',' and nothing else (no
 * trimming), so `'tmp, cache'` names `tmp` and ` cache`, and a volume `cache` is still copied.
 */
export function veleroExcludedNames(annotation: string): string[] {
  return annotation.split(',');
}

/**
 * Refuses an excludes annotation declared on a pod with whitespace around a name: Velero would not match that name,
 * so the volume the user meant to exclude would be backed up. Names are written as Velero reads them.
 */
export function checkDeclaredExcludes(path: string, declared: string | undefined): void {
  if (declared === undefined) return;
  const padded = veleroExcludedNames(declared).filter(n => n !== n.trim() && n.trim().length > 0);
  if (padded.length > 0) {
    const fixed = veleroExcludedNames(declared).map(n => n.trim()).filter(n => n.length > 0).join(',');
    throw new Error(`[${path}] pod annotation ${CACHE_EXCLUDES_ANNOTATION}: ${JSON.stringify(declared)} has whitespace around `
      + `${padded.map(n => JSON.stringify(n)).join(', ')}; Velero splits the list on ',' without trimming, so it would not exclude `
      + `${padded.map(n => `'${n.trim()}'`).join(', ')}: write ${JSON.stringify(fixed)}`);
  }
}

/**
 * The annotation value of a cdk8s-plus pod: the volumes it already excluded, then every emptyDir it mounts (the
 * `writablePaths` and `/tmp` of hardened workloads). An emptyDir lives and dies with its pod: restoring it would bring
 * back stale scratch data, and copying it costs every night.
 */
export function excludedCaches(pod: kplus.AbstractPod, declared: string | undefined): string | undefined {
  checkDeclaredExcludes(pod.node.path, declared);
  // Joined with ',' alone: Velero does not trim, so a space would become part of the next name.
  const names = new Set(veleroExcludedNames(declared ?? '').filter(n => n.length > 0));
  const volumes = [...pod.volumes, ...[...pod.initContainers, ...pod.containers].flatMap(c => c.mounts.map(m => m.volume))];
  for (const volume of volumes) {
    const rendered = volume._toKube();
    if (rendered.emptyDir !== undefined) names.add(rendered.name);
  }
  return names.size > 0 ? [...names].join(',') : undefined;
}

/** Every pod template of the namespace's final JSON with its object. */
function podTemplates(root: IConstruct, namespace: string) {
  const objects = allJsonByNamespace(root).get(namespace) ?? [];
  return objects.flatMap(({ object, json }) => podsOf(json).map(pod => ({ object, json, pod })));
}

/** One line per pod template of the namespace whose emptyDirs are not all in its excludes annotation. */
export function cacheExclusionErrors(root: IConstruct, namespace: string): string[] {
  const errors: string[] = [];
  for (const { object, json, pod } of podTemplates(root, namespace)) {
    const volumes: any[] = Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : [];
    const caches = volumes.filter(v => isObject(v) && v.emptyDir !== undefined).map(v => String(v.name));
    const annotation = pod.metadata?.annotations?.[CACHE_EXCLUDES_ANNOTATION];
    const excluded = typeof annotation === 'string' ? veleroExcludedNames(annotation) : [];
    const missing = caches.filter(name => !excluded.includes(name));
    if (missing.length === 0) continue;
    errors.push(`caches: ${json.kind} '${json.metadata?.name}' (${object.node.path}) would have its emptyDir volume(s) `
      + `${missing.map(n => `'${n}'`).join(', ')} copied by Velero's file-system backup: they are caches, not data. Its pod template must list `
      + `them in the annotation ${CACHE_EXCLUDES_ANNOTATION} at ${pod.metadata === undefined ? pod.specPointer : pod.metadataPointer}: declare the `
      + 'backup after the workload (namespace.backUp() last), do not patch the annotation away, or add it to a raw object');
  }
  return errors;
}

/** What the namespace has to back up besides caches: claims of StatefulSets, PersistentVolumeClaims, pod volumes with contents of their own. */
export function volumesToBackUp(root: IConstruct, namespace: string): string[] {
  const found: string[] = [];
  const objects = allJsonByNamespace(root).get(namespace) ?? [];
  for (const { json } of objects) {
    if (json.kind === 'PersistentVolumeClaim') found.push(`PersistentVolumeClaim '${json.metadata?.name}'`);
    const templates = json.kind === 'StatefulSet' && Array.isArray(json.spec?.volumeClaimTemplates) ? json.spec.volumeClaimTemplates : [];
    for (const template of templates) found.push(`claim template '${template?.metadata?.name}' of StatefulSet '${json.metadata?.name}'`);
  }
  for (const { json, pod } of podTemplates(root, namespace)) {
    const volumes: any[] = Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : [];
    for (const volume of volumes) {
      if (!isObject(volume) || volume.emptyDir !== undefined || NOT_COPIED.some(type => volume[type] !== undefined)) continue;
      found.push(`volume '${volume.name}' of ${json.kind} '${json.metadata?.name}'`);
    }
  }
  return found;
}
