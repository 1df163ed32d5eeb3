// A tiny element builder: enough for a few tables without pulling a UI framework into the webview.
type Child = Node | string;

export function h(tag: string, props: Record<string, unknown>, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'className') element.className = String(value);
    else if (key === 'style') element.setAttribute('style', String(value));
    else if (key === 'ariaLabel') element.setAttribute('aria-label', String(value));
    else if (typeof value === 'boolean') element.toggleAttribute(key, value);
    else if (typeof value === 'string') element.setAttribute(key, value);
    else (element as unknown as Record<string, unknown>)[key] = value;
  }
  element.append(...children);
  return element;
}
