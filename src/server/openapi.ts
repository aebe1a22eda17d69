/**
 * The OpenAPI 3.1 document of the native API, generated from the route list and its zod schemas
 * (`z.toJSONSchema`), so that it lists exactly the routes the app serves.
 */
import { z } from 'zod'
import type { Route } from './route.ts'

type JsonObject = Record<string, unknown>

const errorEnvelope = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object' },
      },
    },
  },
}

const errorResponses = Object.fromEntries(
  [
    ['400', 'Invalid request: malformed JSON, or a field that is missing, unknown or bad'],
    ['401', 'Missing or wrong access token'],
    ['403', 'Refused Host or Origin'],
    ['404', 'Unknown table, stream, consumer, queue, item or route'],
    ['409', 'A condition failed, or a conflict with the stored state'],
    ['413', 'Request body over the limit'],
    ['500', 'Internal error'],
    ['503', 'The store is closing'],
  ].map(([status, description]) => [
    status,
    {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
  ]),
)

/** The document for `routes`, served at `/openapi.json`. */
export function openApiDocument(routes: Route[], version: string): JsonObject {
  const paths: Record<string, JsonObject> = {}
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}')
    paths[path] = { ...paths[path], [route.method]: operation(route) }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Eddy native API', version },
    security: [{}, { bearer: [] }],
    paths,
    components: {
      schemas: { Error: errorEnvelope },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  }
}

function operation(route: Route): JsonObject {
  const parameters = [...pathParameters(route.path), ...queryParameters(route)]
  const body = route.body
    ? {
        requestBody: {
          // An empty body reads as {}: it is optional when {} is a valid request.
          required: !route.body.safeParse({}).success,
          content: { 'application/json': { schema: jsonSchema(route.body) } },
        },
      }
    : {}
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...body,
    responses: { [String(route.status ?? 200)]: { description: 'Success' }, ...errorResponses },
  }
}

function pathParameters(path: string): JsonObject[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }))
}

function queryParameters(route: Route): JsonObject[] {
  if (!route.query) return []
  const schema = jsonSchema(route.query)
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>
  const required = new Set((schema.required ?? []) as string[])
  const named = Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }))
  // A record schema (an item's key attributes) has no fixed names.
  if (named.length > 0) return named
  return [{ name: 'key', in: 'query', style: 'form', explode: true, schema }]
}

function jsonSchema(schema: z.ZodType): JsonObject {
  const document: JsonObject = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  // The dialect is OpenAPI 3.1's own; a $schema inside each operation would only repeat it.
  delete document.$schema
  return document
}
