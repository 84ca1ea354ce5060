# syntax=docker/dockerfile:1
# Loss Doctor: a multi-stage build (Maven on JDK 17 -> Temurin 17 JRE), running as a non-root user.
#   docker build -t loss-doctor .
#   docker run -e LOSSDOCTOR_BOOTSTRAP_SERVERS=kafka:9092 -p 8080:8080 -v ld-state:/var/lib/loss-doctor loss-doctor

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
# dependencies first: this layer is rebuilt only when pom.xml changes
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline || true
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -Dmaven.test.skip=true \
 && cp target/loss-doctor.jar /loss-doctor.jar

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 lossdoctor \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/loss-doctor --shell /usr/sbin/nologin lossdoctor \
 && mkdir -p /opt/loss-doctor /var/lib/loss-doctor \
 && chown lossdoctor:lossdoctor /var/lib/loss-doctor
COPY --from=build /loss-doctor.jar /opt/loss-doctor/loss-doctor.jar
COPY deploy/docker/healthcheck.sh /opt/loss-doctor/healthcheck.sh
ENV LOSSDOCTOR_HTTP_PORT=8080 \
    LOSSDOCTOR_STATE_DIR=/var/lib/loss-doctor \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# RocksDB state stores: keep them on a volume so a restart restores from local state, not the changelog
VOLUME ["/var/lib/loss-doctor"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/loss-doctor/healthcheck.sh"]
ENTRYPOINT ["java", "-jar", "/opt/loss-doctor/loss-doctor.jar"]
CMD ["run"]
