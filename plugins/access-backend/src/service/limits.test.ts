import {
  MAX_AUDIT_PAGE_SIZE,
  MAX_DURATION_SECONDS,
  MAX_REQUEST_ITEMS,
  MAX_TEXT_LENGTH,
} from '@jit-access/plugin-access-common';
import { spec } from '../schema/openapi/generated/spec';

// The router enforces the numbers in openapi.yaml; the frontend stops its fields at the
// constants of access-common. Two copies of one limit: this keeps them equal.

type Node = Record<string, any>;

const bodyOf = (path: string, method = 'post'): Node =>
  (spec.paths as Node)[path][method].requestBody.content['application/json']
    .schema;
const schemas = spec.components.schemas as Node;
const resolve = (node: Node): Node =>
  node.$ref ? schemas[node.$ref.split('/').pop()] : node;

describe('the limits the frontend uses are the ones the spec enforces', () => {
  it('items per submission', () => {
    expect(schemas.SubmitAccessRequestBody.properties.resources.maxItems).toBe(
      MAX_REQUEST_ITEMS,
    );
  });

  it('every free text a person writes', () => {
    const texts = [
      schemas.SubmitAccessRequestBody.properties.justification,
      bodyOf('/requests/{id}/approve').properties.comment,
      bodyOf('/requests/{id}/reject').properties.reason,
      bodyOf('/requests/{id}/revoke').properties.reason,
      bodyOf('/requests/{id}/again').properties.justification,
      bodyOf('/requests/{id}/extend').properties.justification,
    ];
    expect(texts.map(t => t.maxLength)).toEqual(
      texts.map(() => MAX_TEXT_LENGTH),
    );
  });

  it('audit entries per page', () => {
    const limit = (spec.paths as Node)['/audit'].get.parameters.find(
      (p: Node) => p.name === 'limit',
    );
    expect(limit.schema.maximum).toBe(MAX_AUDIT_PAGE_SIZE);
  });

  it('the longest duration', () => {
    expect(schemas.DurationSeconds.maximum).toBe(MAX_DURATION_SECONDS);
    const extend = bodyOf('/requests/{id}/extend').properties.durationSeconds;
    expect(resolve(extend).maximum).toBe(MAX_DURATION_SECONDS);
  });
});
