-- The reason a moderator gave for a member's ban, kept beside the ban's end so the banned member
-- can be told why (the moderation log keeps it too, but as free text for moderators). Cleared
-- with the ban.
ALTER TABLE users ADD COLUMN ban_reason TEXT NOT NULL DEFAULT '';
