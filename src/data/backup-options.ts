/** How a NamespaceBackup saves the contents of the namespace's volumes. */
export class BackupVolumes {
  /**
   * File-system backup by Velero's node agent (`defaultVolumesToFsBackup: true`): every pod volume is copied except
   * the caches (emptyDirs, listed in each pod's `backup.velero.io/backup-volumes-excludes`). Works with any storage;
   * the cluster must run the node agent.
   */
  public static readonly FILE_SYSTEM = new BackupVolumes('file-system', true, false);
  /** Snapshots of the PersistentVolumes (`snapshotVolumes: true`) by the volume snapshot provider the cluster configures. */
  public static readonly SNAPSHOT = new BackupVolumes('snapshot', false, true);
  /** No volume contents: only the namespace's objects. */
  public static readonly NONE = new BackupVolumes('none', false, false);

  private constructor(
    /** A name for messages. */
    public readonly value: string,
    /** `spec.template.defaultVolumesToFsBackup`. */
    public readonly fileSystem: boolean,
    /** `spec.template.snapshotVolumes`. */
    public readonly snapshot: boolean) {}
}

/** What Velero does when a backup hook fails. */
export class BackupHookErrorMode {
  /** Fail the backup of the pod: no backup taken from a workload that could not be quiesced passes as good. */
  public static readonly FAIL = new BackupHookErrorMode('Fail');
  /** Log the error and back up anyway. */
  public static readonly CONTINUE = new BackupHookErrorMode('Continue');

  private constructor(
    /** The hook's `onError` value. */
    public readonly value: string) {}
}
