// The official validator's Node wrapper ships no types; this is the part we use
// (node_modules/amphtml-validator/index.js).
declare module 'amphtml-validator' {
  export interface ValidationError {
    severity: 'UNKNOWN_SEVERITY' | 'ERROR' | 'WARNING';
    /** 1-based. */
    line: number;
    /** 0-based. */
    col: number;
    message: string;
    specUrl: string | null;
    code: string;
    params: string[];
  }
  export interface ValidationResult {
    status: 'UNKNOWN' | 'PASS' | 'FAIL';
    errors: ValidationError[];
  }
  export interface Validator {
    /** Starts the wasm engine; getInstance calls it, newInstance leaves it to the caller. */
    init(): Promise<void>;
    validateString(html: string, htmlFormat?: 'AMP' | 'AMP4ADS' | 'AMP4EMAIL'): ValidationResult;
  }
  /** Reads the engine from a file path or an http(s) URL (default: the AMP CDN), caches it per location. */
  export function getInstance(validatorJs?: string, userAgent?: string): Promise<Validator>;
  export function newInstance(validatorJsContents: string): Validator;
}
