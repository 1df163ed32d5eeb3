// Cloud Run's container contract: the variables it sets in every instance (reserved: users cannot set
// them). One definition for the local run, the smoke test, deploy validation and the emulator.

export const CLOUD_RUN_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'] as const;

export function cloudRunEnv(service: string, revision: string, port: number): Record<string, string> {
  return { PORT: String(port), K_SERVICE: service, K_REVISION: revision, K_CONFIGURATION: service };
}
