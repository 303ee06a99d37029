// @breakwater/detection/schemas: the engine's config as TypeBox schemas, for the server's API and
// documentation. The engine itself checks configs against their plain copies (see config/validate.ts).
export {
  DetectionConfigSchema,
  ThresholdsSchema,
  BaselineSchema,
  HysteresisSchema,
  ReportingSchema,
  SeveritySchema,
  ClassificationSchema,
  HostOverrideSchema,
} from './config/schema.ts';
export { HttpBaselineSchema, HttpDetectionConfigSchema, HttpThresholdsSchema } from './http/http-config-schema.ts';
// Their plain copies, as the engine checks with them (for the test that compares both checkers).
export { DETECTION_CONFIG_PLAIN } from './config/schema.generated.ts';
export { HTTP_DETECTION_CONFIG_PLAIN } from './http/http-config-schema.generated.ts';
