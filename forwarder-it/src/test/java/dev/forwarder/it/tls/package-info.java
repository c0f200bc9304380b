/** TLS origination against real TLS servers in containers. */
package dev.forwarder.it.tls;
