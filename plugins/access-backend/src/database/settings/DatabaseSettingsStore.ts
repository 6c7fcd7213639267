import { Knex } from 'knex';
import { SettingsStore } from './SettingsStore';

/** {@link SettingsStore} on SQLite or PostgreSQL through knex. */
export class DatabaseSettingsStore implements SettingsStore {
  constructor(private readonly db: Knex) {}

  async getOrCreateSetting(key: string, make: () => string): Promise<string> {
    const existing = await this.db('access_settings').where({ key }).first();
    if (existing) return existing.value;
    await this.db('access_settings')
      .insert({ key, value: make() })
      .onConflict('key')
      .ignore();
    // Read back: another replica may have inserted first.
    return (await this.db('access_settings').where({ key }).first()).value;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.db('access_settings').where({ key }).first())?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.db('access_settings')
      .insert({ key, value })
      .onConflict('key')
      .merge();
  }
}
