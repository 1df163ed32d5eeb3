// What a person does with the mouse and keyboard, for tests that drive Mentor the way its users do.
import { QuickInputState, ui } from './uiBridge';

/** Runs a command from the palette: F1, its title, Enter on the matching row. */
export async function fromPalette(title: string): Promise<void> {
  await ui.pressKeys('F1');
  await ui.fillQuickInput(`>${title}`);
  await ui.selectQuickPick(title);
}

/** Clicks a button of a notification in the notification center. */
export async function clickNotificationButton(label: string): Promise<void> {
  await ui.click('.notifications-center .notification-list-item .monaco-button', { text: label, timeoutMs: 10_000 });
}

/**
 * Picks `file` in VS Code's file dialog (in code-server the simple dialog: a quick input holding a path) by
 * typing its full path and clicking the dialog's OK, labelled `okLabel`; returns the dialog as it was shown.
 */
export async function pickFileInDialog(file: string, okLabel: string): Promise<QuickInputState> {
  const dialog = await ui.quickInput({ timeoutMs: 15_000 });
  await ui.fillQuickInput(file);
  await ui.clickQuickInputButton(okLabel);
  return dialog;
}
