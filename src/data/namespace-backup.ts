import { ApiObject, Chart, Cron, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { BackupHookErrorMode, BackupVolumes } from './backup-options';
import { cacheExclusionErrors, CACHE_EXCLUDES_ANNOTATION, checkDeclaredExcludes, excludedCaches, volumesToBackUp } from './backup-volume-selection';
import { checkSeconds, goDuration } from './duration-text';
import { DataDefaults } from '../defaults/data-defaults';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { isDnsLabel, isDnsSubdomain } from '../defaults/kubernetes-validation';

/** Commands run in a workload's pods around the backup, to quiesce it (flush, checkpoint, pause writes) and resume it. */
export interface BackupHook {
  /** The workload whose pods the commands run in: a long-running workload (Deployment, StatefulSet, DaemonSet) of the namespace. */
  readonly workload: kplus.Workload;
  /**
   * The container the commands run in.
   * @default - the workload's first container
   */
  readonly container?: string;
  /**
   * Command run before the pod's volumes are backed up, e.g. `['psql', '-c', 'CHECKPOINT']`. It runs as the
   * container's non-root user on its read-only root filesystem.
   * @default - none (`post` must be given)
   */
  readonly pre?: string[];
  /**
   * Command run after the pod's volumes are backed up, e.g. to resume writes.
   * @default - none (`pre` must be given)
   */
  readonly post?: string[];
  /**
   * What Velero does when a command fails.
   * @default BackupHookErrorMode.FAIL - a backup of a workload that could not be quiesced is not passed off as good
   */
  readonly onError?: BackupHookErrorMode;
  /**
   * How long Velero waits for each command.
   * @default Duration.seconds(30) - Velero's default
   */
  readonly timeout?: Duration;
}

/** Props of a NamespaceBackup. */
export interface NamespaceBackupProps {
  /**
   * When backups run (5-field cron, in the Velero server's time zone).
   * @default Cron.schedule({ minute: '0', hour: '1' }) - nightly at 01:00
   */
  readonly schedule?: Cron;
  /**
   * How long each backup is kept (`ttl`); at least one hour.
   * @default Duration.days(30) - Velero's default
   */
  readonly retention?: Duration;
  /**
   * How the contents of the volumes are saved. Caches (every emptyDir, including the `writablePaths` and `/tmp` of
   * hardened workloads) are never copied.
   * @default BackupVolumes.FILE_SYSTEM
   */
  readonly volumes?: BackupVolumes;
  /**
   * The namespaced resources backed up (Velero's `includedNamespaceScopedResources`, e.g. `['configmaps',
   * 'persistentvolumeclaims', 'pods']`). An empty list backs up the volumes only (with the pods, claims and volumes
   * they need): the objects themselves come from this app.
   * @default - every resource of the namespace
   */
  readonly resources?: string[];
  /**
   * Whether the namespace's Secrets go into the backups. A backup bucket holding Secrets is one more copy of every
   * credential, outside the cluster's encryption at rest; Secrets made by an ExternalSecret or a SealedSecret are
   * written again by their controllers after a restore (their objects are backed up).
   * @default false - Secrets are excluded (`excludedNamespaceScopedResources: ['secrets']`)
   */
  readonly backUpSecrets?: boolean;
  /**
   * Commands that quiesce workloads around the backup.
   * @default - none
   */
  readonly hooks?: BackupHook[];
  /**
   * The namespace Velero runs in: Velero reads Schedules only there.
   * @default 'velero'
   */
  readonly veleroNamespace?: string;
  /**
   * The Schedule's name (backups are named after it), a DNS label unique in the Velero namespace.
   * @default - `<namespace>-<construct id>` in lowercase
   */
  readonly name?: string;
  /**
   * The BackupStorageLocation backups are written to.
   * @default - Velero's default location
   */
  readonly storageLocation?: string;
}

/** Pods whose template already names its caches for Velero. */
const ANNOTATED = new WeakSet<kplus.AbstractPod>();
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\*)$/;

/**
 * The Velero backup of a namespace (`velero.io/v1` Schedule, in the Velero namespace): on a cron schedule, kept for a
 * retention period, with its volumes copied by file-system backup or snapshotted, and optional hooks that quiesce
 * workloads. Declared inside the namespace's chart (an IsolatedNamespace: `namespace.backUp()`), after its
 * workloads.
 *
 * Caches are excluded: every pod of the namespace lists its emptyDirs (the `writablePaths` and `/tmp` of hardened
 * workloads) in `backup.velero.io/backup-volumes-excludes`; synthesis fails if a pod's cache would be copied (a
 * workload declared after the backup, a raw object, a JSON patch). The claims of StatefulSets are backed up. A
 * declaration that would back up nothing is refused.
 */
export class NamespaceBackup extends Construct {
  /**
   * `IsolatedNamespace.backUp()`: the namespace's backup, id `Backup`, declared once.
   * @internal
   */
  public static _declare(namespace: Construct, props: NamespaceBackupProps): NamespaceBackup {
    const existing = namespace.node.tryFindChild('Backup');
    if (existing !== undefined) {
      throw new Error(`[${namespace.node.path}] backUp: the namespace already declares its backup (${existing.node.path}); declare another `
        + 'schedule with new NamespaceBackup(namespace, \'Weekly\', { ... }), after the workloads');
    }
    return new NamespaceBackup(namespace, 'Backup', props);
  }


  /** The Schedule object (in the Velero namespace). */
  public readonly resource: ApiObject;
  /** The namespace backed up. */
  public readonly backedUpNamespace: string;
  /** The namespace the Schedule lives in. */
  public readonly veleroNamespace: string;
  /** How volumes are saved. */
  public readonly volumes: BackupVolumes;
  /** When backups run. */
  public readonly schedule: Cron;
  /** How long each backup is kept. */
  public readonly retention: Duration;

  constructor(scope: Construct, id: string, props: NamespaceBackupProps = {}) {
    super(scope, id);
    const path = this.node.path;
    const namespace = Chart.of(this).namespace;
    if (!isDnsLabel(namespace)) {
      throw new Error(`[${path}] scope: the chart '${Chart.of(this).node.path}' has no namespace, so there is nothing to back up; declare the `
        + 'backup inside the namespace\'s chart, e.g. isolatedNamespace.backUp()');
    }
    this.backedUpNamespace = namespace;
    this.veleroNamespace = props.veleroNamespace ?? DataDefaults.VELERO_NAMESPACE;
    if (!isDnsLabel(this.veleroNamespace)) {
      throw new Error(`[${path}] veleroNamespace: ${JSON.stringify(props.veleroNamespace)} is not a namespace name; use the namespace Velero runs in, e.g. 'velero'`);
    }
    if (this.veleroNamespace === namespace) {
      throw new Error(`[${path}] veleroNamespace: '${namespace}' is the namespace backed up; the Schedule belongs in the namespace Velero runs in, e.g. 'velero'`);
    }
    if (props.schedule !== undefined && !(props.schedule instanceof Cron)) {
      throw new Error(`[${path}] schedule: ${JSON.stringify(props.schedule)} is not a Cron; use e.g. Cron.schedule({ minute: '0', hour: '1' })`);
    }
    this.schedule = props.schedule ?? Cron.schedule({ minute: DataDefaults.BACKUP_MINUTE, hour: DataDefaults.BACKUP_HOUR });
    if (this.schedule.expressionString.trim().split(/\s+/).length !== 5) {
      throw new Error(`[${path}] schedule: '${this.schedule.expressionString}' is not a 5-field cron expression; use e.g. Cron.schedule({ minute: '0', hour: '1' })`);
    }
    const retention = checkSeconds(path, 'retention', props.retention, 3600, 'Duration.days(30) (at least one hour)') ?? DataDefaults.BACKUP_RETENTION_DAYS * 24 * 3600;
    this.retention = Duration.seconds(retention);
    if (props.volumes !== undefined && !(props.volumes instanceof BackupVolumes)) {
      throw new Error(`[${path}] volumes: ${JSON.stringify(props.volumes)} is not a BackupVolumes; use BackupVolumes.FILE_SYSTEM, SNAPSHOT or NONE`);
    }
    this.volumes = props.volumes ?? BackupVolumes.FILE_SYSTEM;
    const name = props.name ?? `${namespace}-${id.toLowerCase()}`;
    if (!isDnsLabel(name)) {
      throw new Error(`[${path}] name: ${JSON.stringify(name)}${props.name === undefined ? ' (from the namespace and the construct id)' : ''} is not `
        + 'a DNS label; give a name of at most 63 lowercase letters, digits and \'-\', e.g. \'shop-nightly\'');
    }
    if (props.storageLocation !== undefined && !isDnsSubdomain(props.storageLocation)) {
      throw new Error(`[${path}] storageLocation: ${JSON.stringify(props.storageLocation)} is not a BackupStorageLocation name; use e.g. 'default'`);
    }
    const resources = this.checkResources(props.resources, props.hooks);
    if (props.backUpSecrets !== undefined && typeof props.backUpSecrets !== 'boolean') {
      throw new Error(`[${path}] backUpSecrets: ${JSON.stringify(props.backUpSecrets)} is not a boolean; use true to back up Secrets, or leave it out`);
    }
    const backUpSecrets = props.backUpSecrets ?? false;
    if (!backUpSecrets && resources?.includes('secrets')) {
      throw new Error(`[${path}] resources: lists 'secrets' but backUpSecrets is not set, so they would be excluded; set backUpSecrets: true `
        + 'to put the namespace\'s credentials in the backups, or remove \'secrets\'');
    }
    const hooks = listOf(path, 'hooks', props.hooks).map((hook, index) => this.checkHook(`hooks[${index}]`, hook, namespace));
    const volumeOnly = resources !== undefined && resources.length === 0;

    // Caches are never backed up: each pod of the namespace names its emptyDirs (as they are when the pod is rendered).
    for (const pod of podsIn(this.node.root, namespace)) {
      if (ANNOTATED.has(pod)) continue; // another backup of the namespace did
      ANNOTATED.add(pod);
      const declared = pod.podMetadata.toJson().annotations?.[CACHE_EXCLUDES_ANNOTATION];
      checkDeclaredExcludes(pod.node.path, typeof declared === 'string' ? declared : undefined);
      pod.podMetadata.addAnnotation(CACHE_EXCLUDES_ANNOTATION,
        Lazy.any({ produce: () => excludedCaches(pod, typeof declared === 'string' ? declared : undefined) }) as unknown as string);
    }

    const restricted = resources !== undefined;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: {
        name,
        namespace: this.veleroNamespace,
        labels: { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY },
      },
      spec: {
        schedule: this.schedule.expressionString,
        // Deleting the Schedule (or the app) must not garbage-collect the backups it took.
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: [namespace],
          includedNamespaceScopedResources: restricted ? (volumeOnly ? ['persistentvolumeclaims', 'pods'] : resources) : undefined,
          excludedNamespaceScopedResources: backUpSecrets ? undefined : ['secrets'],
          includedClusterScopedResources: restricted && this.volumes !== BackupVolumes.NONE ? ['persistentvolumes'] : undefined,
          snapshotVolumes: this.volumes.snapshot,
          defaultVolumesToFsBackup: this.volumes.fileSystem,
          storageLocation: props.storageLocation,
          ttl: goDuration(retention),
          hooks: hooks.length > 0 ? { resources: Lazy.any({ produce: () => hooks.map(h => h()) }) } : undefined,
        },
      },
    });

    this.node.addValidation({
      validate: () => {
        const errors = cacheExclusionErrors(this.node.root, namespace);
        if (volumeOnly && volumesToBackUp(this.node.root, namespace).length === 0) {
          errors.push(`resources: [] backs up the volumes only, but no pod or claim of namespace '${namespace}' has a volume to back up `
            + '(caches are excluded), so every backup would be empty; leave resources out to back up the objects, or drop the backup');
        }
        return errors.map(e => `[${path}] ${e}`);
      },
    });
  }

  private checkResources(resources: string[] | undefined, hooks: BackupHook[] | undefined): string[] | undefined {
    const path = this.node.path;
    if (resources === undefined) return undefined;
    const list = listOf(path, 'resources', resources);
    list.forEach((resource, index) => {
      if (typeof resource !== 'string' || !RESOURCE_NAME.test(resource)) {
        throw new Error(`[${path}] resources[${index}]: ${JSON.stringify(resource)} is not a resource name; use the plural, e.g. 'configmaps' or 'deployments.apps'`);
      }
    });
    if (list.length === 0) {
      if (this.volumes === BackupVolumes.NONE) {
        throw new Error(`[${path}] resources: [] with volumes BackupVolumes.NONE backs up nothing (no object and no volume); leave resources out `
          + 'to back up every object of the namespace, or choose BackupVolumes.FILE_SYSTEM or SNAPSHOT to back up the volumes');
      }
      return list;
    }
    if (list.includes('*')) return list;
    const needs = [
      ...(this.volumes !== BackupVolumes.NONE ? [['persistentvolumeclaims', `volumes ${this.volumes.value} backs up the volumes of claims`]] : []),
      ...(this.volumes === BackupVolumes.FILE_SYSTEM ? [['pods', 'the file-system backup copies volumes through the pods that mount them']] : []),
      ...((hooks ?? []).length > 0 ? [['pods', 'hooks run in the pods being backed up']] : []),
    ];
    for (const [resource, why] of needs) {
      if (!list.includes(resource)) {
        throw new Error(`[${path}] resources: ${JSON.stringify(list)} leaves out '${resource}', but ${why}: Velero would silently skip them; `
          + `add '${resource}', or leave resources out`);
      }
    }
    return list;
  }

  /** Checks a hook now; returns its rendering (the container and pod labels are read when the Schedule is written). */
  private checkHook(field: string, hook: BackupHook, namespace: string): () => any {
    const path = this.node.path;
    if (hook === null || typeof hook !== 'object') {
      throw new Error(`[${path}] ${field}: ${JSON.stringify(hook)} is not a hook; give { workload, pre?, post? }`);
    }
    const workload = hook.workload;
    if (!(workload instanceof kplus.Workload)) {
      throw new Error(`[${path}] ${field}.workload: ${JSON.stringify(workload)} is not a workload; give the HardenedStatefulSet or HardenedDeployment to quiesce`);
    }
    if (workload instanceof kplus.Job || workload instanceof kplus.CronJob) {
      throw new Error(`[${path}] ${field}.workload: ${workload.node.path} is a ${workload instanceof kplus.Job ? 'Job' : 'CronJob'}, whose pods run to `
        + 'completion and are not there to quiesce when the backup runs; hook a long-running workload (Deployment, StatefulSet, DaemonSet)');
    }
    if (workload.metadata.namespace !== namespace) {
      throw new Error(`[${path}] ${field}.workload: ${workload.node.path} is in namespace '${workload.metadata.namespace}', not the backed-up `
        + `namespace '${namespace}'; hook a workload of this namespace`);
    }
    if (hook.container !== undefined && !isDnsLabel(hook.container)) {
      throw new Error(`[${path}] ${field}.container: ${JSON.stringify(hook.container)} is not a container name; name one of ${workload.node.path}'s containers`);
    }
    const commands: Array<['pre' | 'post', string[]]> = [];
    for (const phase of ['pre', 'post'] as const) {
      const command = hook[phase];
      if (command === undefined) continue;
      if (!Array.isArray(command) || command.length === 0 || command.some(part => typeof part !== 'string' || part.length === 0)) {
        throw new Error(`[${path}] ${field}.${phase}: ${JSON.stringify(command)} is not a command; give the program and its arguments, `
          + 'e.g. [\'psql\', \'-c\', \'CHECKPOINT\']');
      }
      commands.push([phase, [...command]]);
    }
    if (commands.length === 0) {
      throw new Error(`[${path}] ${field}: the hook runs no command; give pre (before the backup) and/or post (after it)`);
    }
    if (hook.onError !== undefined && !(hook.onError instanceof BackupHookErrorMode)) {
      throw new Error(`[${path}] ${field}.onError: ${JSON.stringify(hook.onError)} is not a BackupHookErrorMode; use BackupHookErrorMode.FAIL or CONTINUE`);
    }
    const timeout = checkSeconds(path, `${field}.timeout`, hook.timeout, 1, 'Duration.seconds(30)') ?? DataDefaults.BACKUP_HOOK_TIMEOUT_SECONDS;
    const onError = (hook.onError ?? BackupHookErrorMode.FAIL).value;
    return () => {
      const containers = workload.containers.map(c => c.name);
      const container = hook.container ?? containers[0];
      if (container === undefined || !containers.includes(container)) {
        throw new Error(`[${path}] ${field}.container: ${JSON.stringify(container)} is not a container of ${workload.node.path} `
          + `(it has ${containers.map(c => `'${c}'`).join(', ') || 'none'}); name one of them`);
      }
      const rendered: any = {
        name: `quiesce-${workload.name}`.slice(0, 63).replace(/-+$/, ''),
        includedNamespaces: [namespace],
        labelSelector: { matchLabels: podLabelsOf(workload) },
      };
      for (const [phase, command] of commands) {
        rendered[phase] = [{ exec: { container, command, onError, timeout: goDuration(timeout) } }];
      }
      return rendered;
    };
  }
}

/** The labels that select the workload's pods (its selector, else the pod's cdk8s address label). */
function podLabelsOf(workload: kplus.Workload): Record<string, string> {
  const matchLabels = workload.matchLabels;
  if (Object.keys(matchLabels).length > 0) return { ...matchLabels };
  const address = workload.podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL);
  return address === undefined ? {} : { [kplus.Pod.ADDRESS_LABEL]: address };
}

/** cdk8s-plus pods and workloads whose objects land in `namespace`. */
function podsIn(root: IConstruct, namespace: string): kplus.AbstractPod[] {
  return root.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod && c.metadata.namespace === namespace);
}

function listOf<T>(path: string, field: string, value: T[] | undefined): T[] {
  if (value !== undefined && !Array.isArray(value)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a list; give a list, or leave it out`);
  }
  return value ?? [];
}
