"""Operations: health check, stored-file links and the development mailbox."""
