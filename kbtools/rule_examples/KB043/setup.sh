# 140,000 `&` in the last section: 700,000 characters of `&amp;` in HTML.
head -c 140000 /dev/zero | tr '\0' '&' >> entries/kong/connection-timeout.md
