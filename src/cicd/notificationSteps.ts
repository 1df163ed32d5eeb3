// Notifications outside the editor. Cloud Build publishes every build's status to the `cloud-builds` Pub/Sub
// topic, but only if that topic exists: the first step creates it. The second (optional) follows Cloud Build's
// notifier model for Slack: the incoming-webhook URL goes to Secret Manager and nowhere else, and the notifier's
// config (which names the secret, never its value) is generated with the commands that deploy it. The notifier
// itself is a Cloud Run service from Google's image: Mentor does not deploy it (nor can the emulator run it).
import { UserFacingError } from '../core/errors';
import { afterEnabling } from '../setup/retries';
import { SECRET_ID } from '../setup/secretsStep';
import { CheckResult, SetupStep } from '../setup/setupContext';
import { BUILDS_TOPIC, CicdAnswers, CicdContext, CicdStepId } from './cicdContext';

export const NOTIFIER_IMAGE = 'us-east1-docker.pkg.dev/gcb-release/cloud-build-notifiers/slack:latest';

export const topicStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'topic',
  title: 'Build notifications topic',
  async check(ctx): Promise<CheckResult> {
    const { project } = ctx.cicdAnswers;
    if (await ctx.cicd.topicExists(project, BUILDS_TOPIC)) {
      return { status: 'done', summary: `Topic ${BUILDS_TOPIC} exists: Cloud Build publishes each build's status to it (the editor and notifiers read it).` };
    }
    return { status: 'missing', summary: `No Pub/Sub topic ${BUILDS_TOPIC}: Cloud Build publishes build status only if it exists.`,
      willCreate: `topic projects/${project}/topics/${BUILDS_TOPIC}` };
  },
  async create(ctx) {
    ctx.progress(`Creating Pub/Sub topic ${BUILDS_TOPIC}…`);
    await ctx.cicd.createTopic(ctx.cicdAnswers.project, BUILDS_TOPIC);
  },
  gcloud: (ctx) => `gcloud pubsub topics create ${BUILDS_TOPIC} --project ${ctx.cicdAnswers.project}`,
};

export function slackSecretId(service: string): string {
  return `${service}-slack-webhook`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Slack's incoming webhooks (and workflow webhooks) live under https://hooks.slack.com/. */
export function slackWebhookProblem(url: string): string | undefined {
  if (/^https:\/\/hooks\.slack\.com\/[A-Za-z0-9/_-]+$/.test(url.trim())) return undefined;
  return 'A Slack incoming-webhook URL starts with https://hooks.slack.com/ (Slack app → Incoming Webhooks → Copy).';
}

export function notifierConfig(a: Pick<CicdAnswers, 'project' | 'region' | 'service'>, secretId: string): string {
  const bucket = `gs://${a.project}-notifiers-config`;
  const name = `${a.service}-slack-notifier`.slice(0, 49);
  return `# Cloud Build Slack notifier for ${a.service}, in Cloud Build's notifier model: a Cloud Run service from Google's
# image reads this file, receives each message of the ${BUILDS_TOPIC} topic and posts it to Slack.
# The webhook URL is in Secret Manager (${secretId}); this file only names it, so it can be committed.
# Email works the same way with kind SMTPNotifier (image …/cloud-build-notifiers/smtp).
#
# Mentor does not deploy the notifier (and the local emulator cannot run Google's image). To deploy it:
#   gcloud storage buckets create ${bucket} --location=${a.region} --project ${a.project}
#   gcloud storage cp slack-notifier.yaml ${bucket}/slack-notifier.yaml
#   gcloud run deploy ${name} --image=${NOTIFIER_IMAGE} --no-allow-unauthenticated \\
#     --update-env-vars=CONFIG_PATH=${bucket}/slack-notifier.yaml,PROJECT_ID=${a.project} --region=${a.region} --project ${a.project}
#   # the notifier's service account reads the secret (Editor is not enough):
#   gcloud secrets add-iam-policy-binding ${secretId} --member=serviceAccount:NOTIFIER_ACCOUNT --role=roles/secretmanager.secretAccessor --project ${a.project}
#   # Pub/Sub pushes each build message to the notifier, as an account that may invoke it:
#   gcloud pubsub subscriptions create ${name} --topic=${BUILDS_TOPIC} --push-endpoint=NOTIFIER_URL \\
#     --push-auth-service-account=INVOKER_ACCOUNT --project ${a.project}
apiVersion: cloud-build-notifiers/v1
kind: SlackNotifier
metadata:
  name: ${name}
spec:
  notification:
    filter: build.status in [Build.Status.SUCCESS, Build.Status.FAILURE, Build.Status.TIMEOUT] && "${a.service}" in build.tags
    delivery:
      webhookUrl:
        secretRef: webhook-url
  secrets:
  - name: webhook-url
    value: projects/${a.project}/secrets/${secretId}/versions/latest
`;
}

export const slackStep: SetupStep<CicdContext, CicdStepId> = {
  id: 'notifications',
  title: 'Slack notifications (optional)',
  async check(ctx): Promise<CheckResult> {
    const { project, service, slackDeclined } = ctx.cicdAnswers;
    const secretId = slackSecretId(service);
    if (await afterEnabling(ctx, () => ctx.api.secretExists(project, secretId))) {
      ctx.found.slackSecret = secretId;
      return { status: 'done', summary: `The Slack webhook URL is in Secret Manager as ${secretId}. The notifier (a Cloud Run service from Google's image) ` +
        'is not deployed by Mentor: its config and commands are below.' };
    }
    if (slackDeclined) return { status: 'done', summary: `No Slack notifications (skipped). The ${BUILDS_TOPIC} topic still carries every build's status.` };
    return { status: 'missing', summary: 'No Slack notifications yet (optional).', willCreate: 'ask for a Slack webhook URL, kept only in Secret Manager' };
  },
  async create(ctx) {
    const { project, service } = ctx.cicdAnswers;
    const url = await ctx.ui.askSlackWebhook();
    if (!url) {
      ctx.cicdAnswers.slackDeclined = true;
      return false;
    }
    const problem = slackWebhookProblem(url);
    if (problem) throw new UserFacingError(problem, 'invalidArgument');
    const secretId = slackSecretId(service);
    if (!SECRET_ID.test(secretId)) throw new UserFacingError(`"${secretId}" is not a valid secret name.`, 'invalidArgument');
    const value = new TextEncoder().encode(url.trim());
    try {
      if (!(await afterEnabling(ctx, () => ctx.api.secretExists(project, secretId)))) {
        ctx.progress(`Creating secret ${secretId}…`);
        await afterEnabling(ctx, () => ctx.api.createSecret(project, secretId));
      }
      ctx.progress(`Storing the webhook URL in ${secretId}…`);
      await ctx.api.addSecretVersion(project, secretId, value);
    } finally {
      value.fill(0); // the only copy this process made
    }
    ctx.found.slackSecret = secretId;
    await ctx.ui.showNotifierConfig(notifierConfig(ctx.cicdAnswers, secretId));
  },
  gcloud(ctx) {
    const { project, service } = ctx.cicdAnswers;
    return `printf '%s' "$SLACK_WEBHOOK_URL" | gcloud secrets create ${slackSecretId(service)} --data-file=- --replication-policy=automatic --project ${project}`;
  },
};
