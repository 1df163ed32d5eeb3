import * as assert from 'node:assert/strict';
import { describeAppRole, findAppRoles } from '../../src/core/appRoles';

const roles = (files: { path: string; text: string }[]) => findAppRoles(files).map((r) => r.role);

describe('app roles', () => {
  it('finds Firestore and Vertex AI from imports, with the line', () => {
    const found = findAppRoles([{ path: 'app/db.py', text: 'import os\nfrom firebase_admin import credentials, firestore\n' },
      { path: 'app/ai.py', text: 'import vertexai\nfrom vertexai.generative_models import GenerativeModel\n' }]);
    assert.deepEqual(found.map(describeAppRole), ['roles/aiplatform.user (Vertex AI: app/ai.py:1, app/ai.py:2)', 'roles/datastore.user (Firestore: app/db.py:2)']);
  });

  it('reads google.cloud imports in every spelling', () => {
    assert.deepEqual(roles([{ path: 'a.py', text: 'from google.cloud import storage\nimport google.cloud.bigquery as bq\nfrom google.cloud.pubsub_v1 import PublisherClient\n' }]),
      ['roles/bigquery.dataEditor', 'roles/bigquery.jobUser', 'roles/pubsub.publisher', 'roles/pubsub.subscriber', 'roles/storage.objectUser']);
  });

  it('reads requirements and pyproject dependencies (PEP 621 and Poetry), names normalised', () => {
    assert.deepEqual(roles([{ path: 'requirements.txt', text: 'fastapi\nGoogle_Cloud.Firestore==2.16 ; python_version>"3.9"\n# google-cloud-storage\n' }]), ['roles/datastore.user']);
    assert.deepEqual(roles([{ path: 'pyproject.toml', text: '[project]\ndependencies = ["fastapi", "google-cloud-tasks>=2"]\n' }]), ['roles/cloudtasks.enqueuer']);
    assert.deepEqual(roles([{ path: 'pyproject.toml', text: '[tool.poetry.dependencies]\npython = "^3.12"\ngoogle-cloud-aiplatform = "^1.5"\n' }]), ['roles/aiplatform.user']);
  });

  it('asks for nothing when the app calls no Google service with its identity', () => {
    // firebase_admin alone (auth with its own key), an API-key Gemini client, a commented import, a string.
    assert.deepEqual(roles([{ path: 'main.py', text: 'import firebase_admin\nimport google.generativeai as genai\n# from google.cloud import firestore\nx = "import vertexai"\n' },
      { path: 'requirements.txt', text: 'firebase-admin\ngoogle-generativeai\n' }]), []);
  });
});
