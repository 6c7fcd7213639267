import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { SidebarLogo } from './SidebarLogo';
import MenuIcon from '@material-ui/icons/Menu';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';

/** The signed-in user's avatar, sized like the other sidebar icons. */
const SignInAvatarIcon = () => <UserSettingsSignInAvatar size={24} />;

/** Signs out; the dev sign-in page then lets you pick another example user. */
const SwitchUserItem = () => {
  const identityApi = useApi(identityApiRef);
  return (
    <SidebarItem
      icon={SwapHorizIcon}
      text="Switch user"
      onClick={() => {
        identityApi.signOut();
      }}
    />
  );
};

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      // Rendered by hand below, with the signed-in user's avatar as its icon.
      const settingsItem = navItems.take('page:user-settings');
      const nav = navItems.withComponent(item => (
        <SidebarItem icon={() => item.icon} to={item.href} text={item.title} />
      ));

      // Skipped items
      nav.take('page:notifications'); // Using NotificationsSidebarItem manually instead

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:catalog')}
            {nav.take('page:access')}
            <SidebarDivider />
            <SidebarScrollWrapper>
              {nav.rest({ sortBy: 'title' })}
            </SidebarScrollWrapper>
          </SidebarGroup>
          <SidebarSpace />
          <SidebarDivider />
          <NotificationsSidebarItem />
          <SidebarDivider />
          <SidebarGroup
            label="Settings"
            icon={<UserSettingsSignInAvatar />}
            to="/settings"
          >
            <SidebarItem
              icon={SignInAvatarIcon}
              to={settingsItem?.href ?? '/settings'}
              text={settingsItem?.title ?? 'Settings'}
            />
            <SwitchUserItem />
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
