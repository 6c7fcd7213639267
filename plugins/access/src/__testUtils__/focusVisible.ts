// Test helper (not part of the plugin's exports).

/**
 * jsdom never matches `:focus-visible`; a browser does for keyboard focus, which is when
 * Material UI's tooltips open on focus. Makes the focused element match it; returns the
 * restore function.
 */
export function withFocusVisible(): () => void {
  const matches = Element.prototype.matches;
  const spy = jest
    .spyOn(Element.prototype, 'matches')
    .mockImplementation(function focusVisible(this: Element, selector) {
      if (selector === ':focus-visible')
        return this === this.ownerDocument.activeElement;
      return matches.call(this, selector);
    });
  return () => spy.mockRestore();
}
