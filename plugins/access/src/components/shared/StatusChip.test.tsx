import '@testing-library/jest-dom';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { withFocusVisible } from '../../__testUtils__/focusVisible';
import { StatusChip } from './StatusChip';

describe('StatusChip', () => {
  it('is a plain, unfocusable chip without a reason', async () => {
    await renderInTestApp(<StatusChip status="granted" />);
    const chip = screen.getByLabelText('Status: Active');
    expect(chip).toHaveTextContent('Active');
    expect(chip).not.toHaveAttribute('tabindex');
    expect(chip).not.toHaveAttribute('aria-describedby');
  });

  it('gives keyboard and screen-reader users the reason it ended', async () => {
    const restore = withFocusVisible();
    try {
      await renderInTestApp(
        <>
          <button>before</button>
          <StatusChip status="rejected" title="use the staging copy" />
        </>,
      );
      const chip = screen.getByLabelText('Status: Rejected');
      // Described at all times, not only while the tooltip shows.
      expect(chip).toHaveAccessibleDescription('Reason: use the staging copy');
      await userEvent.tab();
      await userEvent.tab();
      expect(chip).toHaveFocus();
      expect(await screen.findByRole('tooltip')).toHaveTextContent(
        'use the staging copy',
      );
    } finally {
      restore();
    }
  });

  it('shows the reason on hover too', async () => {
    await renderInTestApp(
      <StatusChip status="failed" title="IAM: role not found" />,
    );
    await userEvent.hover(screen.getByLabelText('Status: Failed'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'IAM: role not found',
    );
  });
});
