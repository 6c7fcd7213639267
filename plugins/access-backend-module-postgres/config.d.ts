export interface Config {
  access?: {
    /**
     * Provisioner instances by id. The keys below apply to those of `type: postgres`, from
     * `@jit-access/plugin-access-backend-module-postgres`.
     */
    provisioners?: {
      [id: string]: {
        /** `postgres` for a PostgreSQL login role per grant. */
        type: string;
        /**
         * postgres: the databases by target name. A catalog entity names its target with
         * the annotation `jit-access/postgres-target`.
         */
        targets?: {
          [target: string]: {
            /** Host name or address, for the provisioner and in the grantee's details. */
            host: string;
            /** Default 5432. */
            port?: number;
            /** The database the grantee connects to. */
            database: string;
            /** The admin user the provisioner connects as: CREATEROLE, see the README. */
            user: string;
            /**
             * The admin user's password.
             * @visibility secret
             */
            password?: string;
            /**
             * TLS for the admin connection: `true`, or `rejectUnauthorized` / `ca` (PEM).
             * Default off.
             */
            ssl?:
              | boolean
              | {
                  rejectUnauthorized?: boolean;
                  ca?: string;
                };
          };
        };
        /**
         * postgres: permission name (as offered by the flows) to the database roles that
         * the login role becomes a member of, e.g. `read: [app_readonly]`.
         */
        permissions?: {
          [permission: string]: string | string[];
        };
        /** postgres: the start of every login role's name, 1-20 of [a-z0-9_]. Default `jit_`. */
        rolePrefix?: string;
        /** postgres: CONNECTION LIMIT of each login role. Default 5. */
        connectionLimit?: number;
      };
    };
  };
}
