// asl-validator ships no types; the one call the template test makes.
declare module 'asl-validator' {
  /** Validate an Amazon States Language definition. */
  export default function validateAsl(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: unknown[] };
}
