"""Player cards: the printable PDF, the card on the phone, print sheets, and the
referee's check of a card by its QR code."""
