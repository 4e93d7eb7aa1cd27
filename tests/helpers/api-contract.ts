import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** A response a test received from the warehouse API, in either runtime. */
export interface RecordedResponse {
  method: string;
  /** The path without the query (`/reports/teams-above-mean`). */
  path: string;
  status: number;
  contentType: string;
  /** Parsed JSON when the content type is JSON, else the text. */
  body: unknown;
}

type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }> };
type OpenApiDoc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};

/**
 * The API's OpenAPI description (what `GET /openapi.json` answered) as a checker of responses:
 * the one place every API test checks what it received. A response passes when its path, method
 * and status are described, its content type is the described one, and a JSON body validates
 * against the described schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses; formats checked).
 * A path no operation describes passes only as the API's 404 `{ error }`.
 */
export class ApiContract {
  private readonly doc: OpenApiDoc;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: unknown) {
    const doc = document as Partial<OpenApiDoc> | undefined;
    if (!doc || typeof doc.paths !== 'object' || typeof doc.components !== 'object') {
      throw new Error(`Not an OpenAPI document: ${JSON.stringify(document).slice(0, 200)}`);
    }
    this.doc = doc as OpenApiDoc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'api', components: this.doc.components });
  }

  /** The path template (`/reports/{name}`) `path` answers to; a literal path wins over a template. */
  private template(path: string): string | undefined {
    if (this.doc.paths[path]) return path;
    return Object.keys(this.doc.paths).find((template) =>
      new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
  }

  private validator(schema: object): ValidateFunction {
    const text = JSON.stringify(schema).replace(/"#\/components\//g, '"api#/components/');
    let validate = this.compiled.get(text);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(text) as object);
      this.compiled.set(text, validate);
    }
    return validate;
  }

  /** What is wrong with `r` against the description: one line per problem, [] when it matches. */
  mismatches(r: RecordedResponse): string[] {
    const where = `${r.method} ${r.path} ${r.status}`;
    const template = this.template(r.path);
    const operation = template ? this.doc.paths[template]?.[r.method.toLowerCase()] : undefined;
    if (!operation) {
      // A route the API does not have: OpenAPI cannot list it, but the answer is still the API's
      // 404 `{ error }` (components.schemas.Error), nothing else.
      if (r.status !== 404) return [`${where}: ${r.method} ${r.path} is not described`];
      const validate = this.validator({ $ref: '#/components/schemas/Error' });
      if (r.contentType.split(';')[0]?.trim() !== 'application/json' || !validate(r.body)) {
        return [
          `${where}: an unknown route must answer 404 JSON { error }, got ${JSON.stringify(r.body).slice(0, 200)}`,
        ];
      }
      return [];
    }
    const described = operation.responses[String(r.status)];
    if (!described) return [`${where}: status ${r.status} is not described for ${r.method} ${template}`];
    const mediaType = r.contentType.split(';')[0]?.trim() ?? '';
    const media = described.content?.[mediaType];
    if (!media) return [`${where}: content type "${mediaType}" is not described`];
    if (mediaType === 'application/json' && media.schema) {
      const validate = this.validator(media.schema);
      if (!validate(r.body)) {
        return [
          `${where}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(r.body).slice(0, 300)}`,
        ];
      }
    }
    return [];
  }

  /** Throws (failing the test that received it) when `r` does not match the description. */
  check(r: RecordedResponse): void {
    const problems = this.mismatches(r);
    if (problems.length > 0) {
      throw new Error(`The API answered outside its OpenAPI description:\n${problems.join('\n')}`);
    }
  }

  /** Check a fetch `Response` (its body read here); returns the parsed body. */
  async checkFetched(
    method: string,
    url: string,
    response: Response,
  ): Promise<{ body: unknown; text: string }> {
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const body: unknown = contentType.startsWith('application/json') ? JSON.parse(text) : text;
    this.check({ method, path: new URL(url).pathname, status: response.status, contentType, body });
    return { body, text };
  }

  /** Check a Lambda proxy result (`{ statusCode, headers, body }`) for `method path`; returns the parsed body. */
  checkLambda(method: string, path: string, result: unknown): unknown {
    const { statusCode, headers, body, isBase64Encoded } = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    const text = isBase64Encoded ? Buffer.from(body ?? '', 'base64').toString('utf8') : (body ?? '');
    const contentType =
      Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    const parsed: unknown = contentType.startsWith('application/json') ? JSON.parse(text) : text;
    this.check({ method, path, status: statusCode, contentType, body: parsed });
    return parsed;
  }
}
