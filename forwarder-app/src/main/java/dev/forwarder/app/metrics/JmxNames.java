package dev.forwarder.app.metrics;

import com.codahale.metrics.jmx.ObjectNameFactory;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * MBean names for {@code metrics.jmx}: {@code forwarder:name=NAME,type=TYPE}, with {@code NAME} quoted where it
 * holds what an object name cannot (a backend's {@code host:port}). Dropwizard's default factory drops the
 * {@code type} of a name it has to quote, so backend MBeans would not show under their type.
 */
public final class JmxNames implements ObjectNameFactory {

    @Override
    public ObjectName createName(String type, String domain, String name) {
        boolean plain = name.chars().noneMatch(c -> ",=:\"*?\n".indexOf(c) >= 0);
        try {
            return new ObjectName(domain + ":name=" + (plain ? name : ObjectName.quote(name)) + ",type=" + type);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("name: " + name + " (expected: usable in a JMX object name)", e);
        }
    }
}
