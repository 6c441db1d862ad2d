from django.urls import path, re_path
from django.views.generic import RedirectView

from rookery.web.views import (
    accounts,
    notifications,
    posts,
    search,
    settings,
    social,
    timelines,
)

app_name = "web"

# Route names landing/home/login/profile/post/hashtag are a contract: services reverse them.
urlpatterns = [
    path("", timelines.landing, name="landing"),
    path("home/", timelines.home, name="home"),
    path("home/new/", timelines.home_new, name="home_new"),
    path("public/", timelines.public, name="public"),
    path("tags/<str:tag>/", timelines.hashtag, name="hashtag"),
    path("bookmarks/", timelines.bookmarks, name="bookmarks"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("search/", search.search, name="search"),
    # Accounts
    path("signup/", accounts.signup, name="signup"),
    path("invite/<str:code>/", accounts.signup, name="invite"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Posts
    path("posts/new/", posts.post_create, name="post_create"),
    path("posts/<int:post_id>/accept/", posts.answer_accept, name="answer_accept"),
    path("posts/<int:post_id>/<str:action>/", posts.post_react, name="post_react"),
    # Settings
    path("settings/", RedirectView.as_view(pattern_name="web:settings_profile"), name="settings"),
    path("settings/profile/", settings.profile_edit, name="settings_profile"),
    path("settings/account/", settings.account, name="settings_account"),
    path("settings/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "settings/password/done/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("settings/mutes/", settings.mutes, name="settings_mutes"),
    path("settings/blocks/", settings.blocks, name="settings_blocks"),
    path("settings/follows/", settings.follows, name="settings_follows"),
    path("settings/follows/export.csv", settings.follows_export, name="settings_follows_export"),
    path("settings/invites/", settings.invites, name="settings_invites"),
    path("follow-requests/", social.follow_requests, name="follow_requests"),
    path(
        "follow-requests/<str:username>/<str:decision>/",
        social.follow_request_decide,
        name="follow_request_decide",
    ),
    # Profiles and posts under them
    path("@<str:username>/", social.profile, name="profile"),
    path("@<str:username>/with-replies/", social.profile_replies, name="profile_replies"),
    path("@<str:username>/followers/", social.followers, name="followers"),
    path("@<str:username>/following/", social.following, name="following"),
    path("@<str:username>/report/", social.report, name="report"),
    path("@<str:username>/<int:post_id>/", posts.post_detail, name="post"),
    path("@<str:username>/<int:post_id>/edit/", posts.post_edit, name="post_edit"),
    path("@<str:username>/<int:post_id>/history/", posts.post_history, name="post_history"),
    path("@<str:username>/<int:post_id>/delete/", posts.post_delete, name="post_delete"),
    re_path(
        r"^@(?P<username>[^/]+)/(?P<action>follow|unfollow|block|unblock|mute|unmute)/$",
        social.relationship,
        name="relationship",
    ),
]
