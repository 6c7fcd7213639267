import {
  loginRoleName,
  MAX_ROLE_NAME_LENGTH,
  ownershipMarker,
} from './roleName';

const base = {
  rolePrefix: 'jit_',
  requester: 'user:default/alice',
  requestId: '0b6f3c1e-2f4d-4a55-9d5c-7f1e2a3b4c5d',
  target: 'orders-prod',
};

describe('loginRoleName', () => {
  it('is the prefix, the user name and a hash of request and target', () => {
    const name = loginRoleName(base);
    expect(name).toMatch(/^jit_alice_[0-9a-f]{10}$/);
    expect(loginRoleName(base)).toBe(name);
    expect(loginRoleName({ ...base, requestId: 'other' })).not.toBe(name);
    // roles are cluster-wide: two databases of one cluster get separate roles
    expect(loginRoleName({ ...base, target: 'billing-prod' })).not.toBe(name);
  });

  it('reduces any user name to lower-case [a-z0-9_]', () => {
    expect(
      loginRoleName({ ...base, requester: 'user:default/Jane.Doe-Smith' }),
    ).toMatch(/^jit_jane_doe_smith_[0-9a-f]{10}$/);
    expect(
      loginRoleName({ ...base, requester: 'user:ops/"; DROP ROLE x; --' }),
    ).toMatch(/^jit_drop_role_x_[0-9a-f]{10}$/);
    expect(loginRoleName({ ...base, requester: 'user:default/___' })).toMatch(
      /^jit_user_[0-9a-f]{10}$/,
    );
    expect(loginRoleName({ ...base, requester: 'not a ref' })).toMatch(
      /^jit_not_a_ref_[0-9a-f]{10}$/,
    );
  });

  it('never exceeds 63 characters', () => {
    for (const rolePrefix of ['j', 'jit_', 'a'.repeat(20)]) {
      const name = loginRoleName({
        ...base,
        rolePrefix,
        requester: `user:default/${'x'.repeat(30)}.${'y'.repeat(60)}`,
      });
      expect(name.length).toBeLessThanOrEqual(MAX_ROLE_NAME_LENGTH);
      expect(name).toMatch(/^[a-z0-9_]+$/);
      expect(name).not.toMatch(/__/);
    }
  });
});

describe('ownershipMarker', () => {
  it('keeps the text spliceable into a comment literal', () => {
    expect(ownershipMarker("r?1'\n", 't')).toBe(
      "JIT Access request r_1'_ target t",
    );
  });
});
