import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AccessConfigError } from '../config/readAccessConfig';
import {
  AccessProvisioner,
  AccessProvisionerFactory,
} from '@jit-access/plugin-access-node';
import { ProvisionerConfig } from '../config/AccessConfig';
import { withEntityTrust } from './trustedProvisioner';

/** The built-in provisioner: records the grant and changes nothing outside Backstage. */
export const noneProvisioner: AccessProvisioner = {
  async grant() {
    return {};
  },
  async revoke() {},
};

/** Provisioner instances by id (`none` is always there). */
export class ProvisionerRegistry {
  private constructor(private readonly byId: Map<string, AccessProvisioner>) {}

  static async create(options: {
    config: Config;
    provisioners: ProvisionerConfig[];
    factories: AccessProvisionerFactory[];
    logger: LoggerService;
  }): Promise<ProvisionerRegistry> {
    const byId = new Map<string, AccessProvisioner>([
      ['none', noneProvisioner],
    ]);
    const problems: string[] = [];
    for (const p of options.provisioners) {
      const factory = options.factories.find(f => f.type === p.type);
      if (!factory) {
        problems.push(
          `access.provisioners.${p.id}.type: unknown provisioner type "${p.type}"`,
        );
        continue;
      }
      try {
        byId.set(
          p.id,
          withEntityTrust(
            p.id,
            p.trust,
            await factory.create({
              id: p.id,
              config: options.config.getConfig(`access.provisioners.${p.id}`),
              logger: options.logger.child({ provisioner: p.id }),
            }),
          ),
        );
      } catch (e) {
        const message = (e as Error).message;
        // Backstage's own config errors already name the full key.
        const named =
          message.startsWith('access.') ||
          message.includes(`'access.provisioners.`);
        problems.push(
          named ? message : `access.provisioners.${p.id}.${message}`,
        );
      }
    }
    if (problems.length) throw new AccessConfigError(problems);
    return new ProvisionerRegistry(byId);
  }

  /** Ids of provisioners whose calls change nothing outside Backstage (`none`). */
  noopIds(): string[] {
    return [...this.byId]
      .filter(([, p]) => p === noneProvisioner)
      .map(([id]) => id);
  }

  get(id: string): AccessProvisioner {
    const p = this.byId.get(id);
    if (!p) throw new Error(`No provisioner "${id}"`);
    return p;
  }
}
