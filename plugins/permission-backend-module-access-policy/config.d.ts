export interface Config {
  access?: {
    /**
     * The JIT Access permission policy, from
     * `@jit-access/plugin-permission-backend-module-access-policy`.
     */
    permissionPolicy?: {
      /**
       * User or group entity refs (`group:default/platform-admins`, `user:default/pat`; the
       * namespace defaults to `default`, case does not matter). Users whose ownership refs
       * (themselves and their groups) include one of them get `access.admin` and
       * `access.audit.read`; everyone else is denied both. An empty list leaves them to no
       * one. Default `['group:default/platform-admins']`.
       * @visibility backend
       */
      admins?: string[];
    };
  };
}
