package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusTextTest {
  @ParameterizedTest
  @CsvSource({
    "0, Less than a second",
    "1, 1 second",
    "3, 3 seconds",
    "59, 59 seconds",
    "60, About a minute",
    "119, About a minute",
    "300, 5 minutes",
    "3600, About an hour",
    "7200, 2 hours",
    "259200, 3 days",
    "1209600, 2 weeks",
  })
  void human_dockerWording(long seconds, String expected) {
    assertEquals(expected, StatusText.human(Duration.ofSeconds(seconds)));
  }
}
