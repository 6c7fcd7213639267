/**
 * Plugin-wide settings (`access_settings`): small values all replicas share, such as
 * keys generated outside production and the cursors of scheduled tasks.
 */
export interface SettingsStore {
  /**
   * A setting, created with `make` the first time. Race-safe across replicas: all of them
   * get the value the first writer stored.
   */
  getOrCreateSetting(key: string, make: () => string): Promise<string>;

  /** A setting, if it was ever set. */
  getSetting(key: string): Promise<string | undefined>;

  /** Sets a setting; the last writer wins. */
  putSetting(key: string, value: string): Promise<void>;
}
