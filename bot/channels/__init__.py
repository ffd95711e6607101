"""The channels workers talk through: the terminal chat, Telegram and WhatsApp."""
