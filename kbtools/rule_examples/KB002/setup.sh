# The entry grows past the 256 KiB cap: 300,000 more characters of log.
head -c 300000 /dev/zero | tr '\0' x >> entries/kong/connection-timeout.md
