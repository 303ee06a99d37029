export { createAwsShieldProvider, AWS_SHIELD_CAPABILITIES } from './aws-shield.ts';
export { signRequest, type AwsCredentials } from './sigv4.ts';
