/**
 * The defaults of the data-protection constructs (ExternalSecret, SealedSecret, NamespaceBackup), in one place.
 * Static members because jsii exports no free constants.
 */
export class DataDefaults {
  /** Mode of the files a referenced Secret is mounted as (0440): its owner and the pod's group (fsGroup) read it, nobody else. */
  public static readonly SECRET_FILE_MODE = 0o440;
  /** Seconds between two reads of an ExternalSecret's values from the provider (the operator's own default, 1h). */
  public static readonly EXTERNAL_SECRET_REFRESH_SECONDS = 3600;
  /** The shortest refresh interval accepted, in seconds: faster only loads the provider. */
  public static readonly EXTERNAL_SECRET_MIN_REFRESH_SECONDS = 60;
  /** The namespace Velero runs in, where it reads Schedules. */
  public static readonly VELERO_NAMESPACE = 'velero';
  /** Minute of the default nightly backup (01:00). */
  public static readonly BACKUP_MINUTE = '0';
  /** Hour of the default nightly backup. */
  public static readonly BACKUP_HOUR = '1';
  /** Days a backup is kept (Velero's own default ttl, 720h). */
  public static readonly BACKUP_RETENTION_DAYS = 30;
  /** Seconds Velero waits for a backup hook command (Velero's default). */
  public static readonly BACKUP_HOOK_TIMEOUT_SECONDS = 30;

  private constructor() {}
}
