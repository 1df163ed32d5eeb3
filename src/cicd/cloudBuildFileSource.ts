// The step's view of the generated cloudbuild.yaml (src/core/cloudBuildConfig.ts): the text for the current
// settings, generated once per run, and the fingerprint test that tells Mentor's untouched file from an edited one.
import { CloudBuildInput, cloudBuildYaml, isUnchangedSinceGenerated } from '../core/cloudBuildConfig';
import { CloudBuildFileSource } from './cicdContext';

export function generatedCloudBuildFile(input: CloudBuildInput): CloudBuildFileSource {
  let text: string | undefined;
  return {
    proposal: () => (text ??= cloudBuildYaml(input)),
    unchangedSinceGenerated: isUnchangedSinceGenerated,
  };
}
